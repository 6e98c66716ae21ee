package dev.baton.notifier;

import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.infra.test.ManagementContract;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.notifier.support.TelegramFakeResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import java.time.Duration;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/** The notifier's management interface: {@link ManagementContract}. */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = TelegramFakeResource.class, scope = TestResourceScope.GLOBAL)
class ManagementInterfaceTest extends ManagementContract {

    ManagementInterfaceTest() {
        super("notifier-service");
    }

    /** One alert, so the alert counter (tagged by alert type, registered on first use) has a series. */
    @Override
    protected void exercise() {
        new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap()).send(Topics.ALERTS, "ORCH-MGMT", """
                {"eventId":"%s","aggregateType":"task","aggregateId":"ORCH-MGMT","eventType":"JobReaped",
                 "occurredAt":"2026-11-28T00:00:00Z","payload":{"jobId":1,"tier":3}}""".formatted(UUID.randomUUID()));
        await().atMost(Duration.ofSeconds(30)).until(() -> ManagementInterface.scrape(ManagementInterface.url())
                .contains("baton_notifier_alerts_total{"));
    }
}
