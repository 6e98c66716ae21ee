package dev.baton.stage;

import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.infra.test.KafkaTestClient;
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
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The service is wired to the real PostgreSQL and the real Kafka broker. */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class StageServiceWiringTest {

    @Test
    void readinessIsUpWithDatasourceAndKafkaChecks() {
        given().port(ManagementInterface.port()).when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("PostgreSQL")))
                .body("checks.name", hasItem(containsString("Kafka")));
    }

    @Test
    void inboundEventCrossesTheTopicOnceEvenWhenRedelivered() throws Exception {
        String eventId = UUID.randomUUID().toString();
        String json = """
                {"eventId":"%s","aggregateType":"task","aggregateId":"ORCH-1","eventType":"PlaneStateChanged",
                 "occurredAt":"2026-11-28T00:00:00Z","payload":{"state":"In Review"}}""".formatted(eventId);
        KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());
        kafka.send(Topics.INBOUND, "ORCH-1", json);
        kafka.send(Topics.INBOUND, "ORCH-1", json);

        await().atMost(Duration.ofSeconds(30)).until(() -> rowsFor(eventId) == 1);
        // Both deliveries were consumed in order on one partition; the second changed nothing.
        String marker = UUID.randomUUID().toString();
        kafka.send(Topics.INBOUND, "ORCH-1", json.replace(eventId, marker));
        await().atMost(Duration.ofSeconds(30)).until(() -> rowsFor(marker) == 1);
        assertEquals(1, rowsFor(eventId));
    }

    private static int rowsFor(String eventId) throws Exception {
        BatonTestResource.Servers s = BatonTestResource.servers();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM stage.inbound_event WHERE event_id = ?")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
