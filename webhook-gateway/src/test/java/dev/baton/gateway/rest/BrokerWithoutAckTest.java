package dev.baton.gateway.rest;

import dev.baton.events.Topics;
import dev.baton.gateway.config.GatewayConfig;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static dev.baton.infra.fake.WebhookPayloads.PLANE_SECRET;
import static dev.baton.infra.fake.WebhookPayloads.planeV2StateChanged;
import static dev.baton.infra.fake.WebhookPayloads.sign;
import static dev.baton.infra.fake.WebhookPayloads.uuid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broker that does not acknowledge: the real broker is made to refuse every write to
 * {@code baton.inbound} ({@code min.insync.replicas=2} on one broker, so an acks=all write is
 * refused with NOT_ENOUGH_REPLICAS and the producer keeps retrying, as it would with the leader
 * gone). The gateway must answer 503 within {@code baton.gateway.publish-timeout}, with nothing on
 * the topic; once the broker acknowledges again, the same delivery is accepted, and its record is
 * on the topic by the time the 202 arrives.
 */
@QuarkusTest
@QuarkusTestResource(value = BatonTestResource.class, restrictToAnnotatedClass = false)
class BrokerWithoutAckTest {

    @TestHTTPResource("/webhooks/plane")
    URL plane;

    @Inject
    GatewayConfig config;

    @Test
    void noAcknowledgementIs503WithinTheTimeoutAndTheSameDeliveryIsAcceptedOnceTheBrokerIsBack() throws Exception {
        String bootstrap = BatonTestResource.servers().kafkaBootstrap();
        KafkaTestClient kafka = new KafkaTestClient(bootstrap);
        HttpClient http = HttpClient.newHttpClient();
        // A first delivery while the broker acknowledges: the path is warm, so the timing below is the timeout's.
        int warm = ThreadLocalRandom.current().nextInt(100_000, 999_999_999);
        assertEquals(202, http.send(delivery(uuid(), warm), HttpResponse.BodyHandlers.ofString()).statusCode());
        int sequence = ThreadLocalRandom.current().nextInt(100_000, 999_999_999);
        String key = "NOACK-" + sequence;
        String eventId = uuid();
        HttpRequest delivery = delivery(eventId, sequence);

        HttpResponse<String> refused;
        long tookMs;
        minInsyncReplicas("2");
        try {
            long started = System.nanoTime();
            refused = http.send(delivery, HttpResponse.BodyHandlers.ofString());
            tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(kafka.presentNow(Topics.INBOUND, key).isEmpty(), "nothing was stored while refused");
        } finally {
            minInsyncReplicas(null);
        }

        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
        long timeoutMs = config.publishTimeout().toMillis();
        assertTrue(tookMs >= timeoutMs && tookMs < timeoutMs + 3_000,
                "answered after the " + timeoutMs + " ms timeout, not much later: " + tookMs + " ms");

        HttpResponse<String> accepted = http.send(delivery, HttpResponse.BodyHandlers.ofString());
        assertEquals(202, accepted.statusCode(), accepted.body());
        // Answered after the broker's ack: the record is there at the moment of the answer.
        List<ConsumerRecord<String, String>> stored = kafka.presentNow(Topics.INBOUND, key);
        assertTrue(!stored.isEmpty(), "the accepted delivery is on the topic when answered");
        // The producer may still deliver the refused attempt once the broker is back: a copy with the
        // same event id, which stage-service's inbound table de-duplicates. Never a different event.
        stored.forEach(r -> assertTrue(r.value().contains("\"eventId\":\"plane:" + eventId + "\""), r.value()));
    }

    /** A signed Plane delivery for work item NOACK-{@code sequence}; the client waits far longer than the timeout. */
    private HttpRequest delivery(String eventId, int sequence) throws Exception {
        String body = planeV2StateChanged(eventId, uuid(), "NOACK", sequence, "alice");
        return HttpRequest.newBuilder(plane.toURI()).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("X-Plane-Event", "issue")
                .header("X-Plane-Delivery", uuid()).header("X-Plane-Signature", sign(PLANE_SECRET, body))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    }

    /** Sets (or with null removes) {@code min.insync.replicas} of {@code baton.inbound} on the real broker. */
    private static void minInsyncReplicas(String value) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                BatonTestResource.servers().kafkaBootstrap()))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.INBOUND);
            AlterConfigOp op = value == null
                    ? new AlterConfigOp(new ConfigEntry("min.insync.replicas", ""), AlterConfigOp.OpType.DELETE)
                    : new AlterConfigOp(new ConfigEntry("min.insync.replicas", value), AlterConfigOp.OpType.SET);
            admin.incrementalAlterConfigs(Map.of(topic, List.of(op))).all().get(30, TimeUnit.SECONDS);
        }
        // The broker applies the change to its logs a little after it reports it: wait until a probe
        // write (acks=all, its own key) gets the answer the test needs.
        boolean refusing = value != null;
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledges() != refusing);
    }

    /** Whether an acks=all write to {@code baton.inbound} is acknowledged within 3 s. */
    private static boolean acknowledges() {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BatonTestResource.servers().kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3_000, ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.INBOUND, "NOACK-PROBE", "{\"probe\":true}")).get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception refused) {
            return false;
        }
    }
}
