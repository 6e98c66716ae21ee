package dev.baton.reaper;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.EventEnvelope;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.reaper.messaging.AlertPublisher;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The reaper is wired to the real Kafka broker and points its REST client at stage-service. */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class ReaperServiceWiringTest {

    @Inject
    AlertPublisher alerts;

    @Inject
    ObjectMapper json;

    @Test
    void readinessIsUpWithTheBrokerChannelCheck() {
        given().port(ManagementInterface.port()).when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Reactive Messaging")));
    }

    @Test
    void publishedAlertIsOnTheAlertsTopicKeyedByWorkItem() throws Exception {
        EventEnvelope alert = new EventEnvelope(UUID.randomUUID().toString(), "task", "ORCH-9", "JobReaped",
                Instant.parse("2026-11-28T00:00:00Z"), Map.of("tier", 3));

        alerts.publish(alert).await().atMost(Duration.ofSeconds(30));

        List<ConsumerRecord<String, String>> records = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap())
                .await(Topics.ALERTS, r -> r.value().contains(alert.eventId()), 1, Duration.ofSeconds(30));
        assertEquals(1, records.size());
        assertEquals("ORCH-9", records.get(0).key());
        assertEquals(alert, json.readValue(records.get(0).value(), EventEnvelope.class));
    }

    @Test
    void stageServiceClientDefaultsToTheLocalStageService() {
        assertEquals("http://localhost:8081", ConfigProvider.getConfig()
                .getValue("quarkus.rest-client.stage-service.url", String.class));
    }
}
