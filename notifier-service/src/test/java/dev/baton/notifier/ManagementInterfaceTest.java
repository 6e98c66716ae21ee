package dev.baton.notifier;

import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.infra.test.MetricsCatalog;
import dev.baton.notifier.support.TelegramFakeResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Health, metrics and the OpenAPI document answer on the management port only, never the API port
 * (which the Ingress exposes); and every metric docs/operations.md lists for notifier-service is really in its scrape.
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = TelegramFakeResource.class, scope = TestResourceScope.GLOBAL)
class ManagementInterfaceTest {

    @Test
    void healthMetricsAndOpenApiAnswerOnTheManagementPortOnly() throws Exception {
        assertEquals(List.of(), ManagementInterface.leaks(ManagementInterface.apiUrl(), ManagementInterface.url()));
    }

    @Test
    void everyMetricTheDocsListIsExported() throws Exception {
        // One alert, so the alert counter (tagged by alert type, registered on first use) has a series.
        new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap()).send(Topics.ALERTS, "ORCH-MGMT", """
                {"eventId":"%s","aggregateType":"task","aggregateId":"ORCH-MGMT","eventType":"JobReaped",
                 "occurredAt":"2026-11-28T00:00:00Z","payload":{"jobId":1,"tier":3}}""".formatted(UUID.randomUUID()));
        await().atMost(Duration.ofSeconds(30)).until(() -> ManagementInterface.scrape(ManagementInterface.url())
                .contains("baton_notifier_alerts_total{"));
        assertEquals(List.of(), MetricsCatalog.missingFrom(ManagementInterface.scrape(ManagementInterface.url()), "notifier-service"));
    }
}
