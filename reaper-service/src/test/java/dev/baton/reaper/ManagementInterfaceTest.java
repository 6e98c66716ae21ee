package dev.baton.reaper;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.infra.test.MetricsCatalog;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Health, metrics and the OpenAPI document answer on the management port only, never the API port
 * (which the Ingress exposes); and every metric docs/operations.md lists for reaper-service is really in its scrape.
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class ManagementInterfaceTest {

    @Test
    void healthMetricsAndOpenApiAnswerOnTheManagementPortOnly() throws Exception {
        assertEquals(List.of(), ManagementInterface.leaks(ManagementInterface.apiUrl(), ManagementInterface.url()));
    }

    @Test
    void everyMetricTheDocsListIsExported() throws Exception {
        assertEquals(List.of(), MetricsCatalog.missingFrom(ManagementInterface.scrape(ManagementInterface.url()), "reaper-service"));
    }
}
