package dev.baton.notifier;

import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.notifier.support.TelegramFakeResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The notifier is wired to the real PostgreSQL and the real Kafka broker. */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = TelegramFakeResource.class, scope = TestResourceScope.GLOBAL)
class NotifierServiceWiringTest {

    private final KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());

    @Test
    void readinessIsUpWithDatasourceMessagingAndSenderChecks() {
        given().port(ManagementInterface.port()).when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("PostgreSQL")))
                .body("checks.name", hasItem(containsString("Reactive Messaging")))
                .body("checks.find { it.name == 'Telegram chat senders' }.data.sendingTo",
                        containsString(TelegramFakeResource.CHAT));
    }

    @Test
    void transitionEventIsRecordedOnceEvenWhenRedelivered() throws Exception {
        String eventId = UUID.randomUUID().toString();
        String json = event(eventId, "ORCH-2", "StageAdvanced");
        kafka.send(Topics.TRANSITIONS, "ORCH-2", json);
        kafka.send(Topics.TRANSITIONS, "ORCH-2", json);

        await().atMost(Duration.ofSeconds(30)).until(() -> rowsFor(eventId) == 1);
        // Both deliveries were consumed in order on one partition; the second changed nothing.
        String marker = UUID.randomUUID().toString();
        kafka.send(Topics.TRANSITIONS, "ORCH-2", json.replace(eventId, marker));
        await().atMost(Duration.ofSeconds(30)).until(() -> rowsFor(marker) == 1);
        assertEquals(1, rowsFor(eventId));
    }

    @Test
    void alertEventIsRecorded() {
        String eventId = UUID.randomUUID().toString();
        kafka.send(Topics.ALERTS, "ORCH-3", event(eventId, "ORCH-3", "LeaseReclaimed"));

        await().atMost(Duration.ofSeconds(30)).until(() -> rowsFor(eventId) == 1);
    }

    private static String event(String eventId, String workItem, String eventType) {
        return """
                {"eventId":"%s","aggregateType":"task","aggregateId":"%s","eventType":"%s",
                 "occurredAt":"2026-11-28T00:00:00Z","payload":{"stage":"review"}}""".formatted(eventId, workItem, eventType);
    }

    private static int rowsFor(String eventId) throws Exception {
        BatonTestResource.Servers s = BatonTestResource.servers();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM notifier.processed_event WHERE event_id = ?")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
