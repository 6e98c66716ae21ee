package dev.baton.gateway;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.infra.test.MetricsCatalog;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Health, metrics and the OpenAPI document answer on the management port only, never the API port
 * (which the Ingress exposes); and every metric docs/operations.md lists for webhook-gateway is really in its scrape.
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
        // One refused (unsigned) webhook, so the counter has a series to show.
        given().contentType("application/json").body("{}").post("/webhooks/plane").then().statusCode(401);
        assertEquals(List.of(), MetricsCatalog.missingFrom(ManagementInterface.scrape(ManagementInterface.url()), "webhook-gateway"));
    }

    /** A path that climbs out of /webhooks reaches nothing: the API port has no /q at all. */
    @Test
    void aWebhookPathClimbingToTheMetricsIsNotServed() throws Exception {
        for (String path : List.of("/webhooks/../q/metrics", "/webhooks/plane/../../q/metrics", "/webhooks/%2e%2e/q/metrics")) {
            int status = ManagementInterface.rawStatus(ManagementInterface.apiUrl(), "POST", path);
            assertNotEquals(200, status, "POST " + path);
        }
    }
}
