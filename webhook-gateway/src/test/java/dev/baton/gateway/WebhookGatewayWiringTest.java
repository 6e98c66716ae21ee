package dev.baton.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.EventEnvelope;
import dev.baton.events.Topics;
import dev.baton.gateway.messaging.InboundPublisher;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.infra.test.KafkaTestClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The gateway is wired to the real Kafka broker, and has no database. */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class WebhookGatewayWiringTest {

    @Inject
    InboundPublisher publisher;

    @Inject
    ObjectMapper json;

    @Test
    void readinessIsUpWithTheBrokerChannelCheckAndNoDatabase() {
        // The channel's own check (the producer's connection, no round trip), not Kafka's admin
        // check, which hung readiness for 20 s and more when the broker was away.
        given().port(ManagementInterface.port()).when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Reactive Messaging")))
                .body("checks.name", not(hasItem(containsString("Kafka connection"))))
                .body("checks.name", not(hasItem(containsString("PostgreSQL"))));
    }

    @Test
    void publishedEventIsOnTheInboundTopicKeyedByWorkItem() throws Exception {
        EventEnvelope event = new EventEnvelope(UUID.randomUUID().toString(), "task", "ORCH-7", "PlaneStateChanged",
                Instant.parse("2026-11-28T00:00:00Z"), Map.of("state", "In Review"));

        publisher.publish(event).await().atMost(Duration.ofSeconds(30));

        List<ConsumerRecord<String, String>> records = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap())
                .await(Topics.INBOUND, r -> r.value().contains(event.eventId()), 1, Duration.ofSeconds(30));
        assertEquals(1, records.size());
        assertEquals("ORCH-7", records.get(0).key());
        assertEquals(event, json.readValue(records.get(0).value(), EventEnvelope.class));
    }
}
