package dev.baton.gateway.rest;

import dev.baton.events.Topics;
import dev.baton.gateway.config.GatewayConfig;
import dev.baton.gateway.webhook.WebhookMetrics;
import dev.baton.infra.KafkaProcess;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static dev.baton.infra.fake.WebhookPayloads.PLANE_SECRET;
import static dev.baton.infra.fake.WebhookPayloads.planeV2StateChanged;
import static dev.baton.infra.fake.WebhookPayloads.sign;
import static dev.baton.infra.fake.WebhookPayloads.uuid;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's broker goes away (SIGKILL, as a crashed or partitioned broker) and comes back on
 * the same port and log directories. A delivery sent meanwhile is refused with 503 within
 * {@code BATON_GATEWAY_PUBLISH_TIMEOUT}, and is not on the topic afterwards either: Plane sends it
 * again, and only that second copy is published.
 *
 * <p>The broker here is a child process ({@link KafkaProcess}) that only the gateway's
 * {@code inbound} channel talks to; the module's shared in-process broker cannot be restarted.
 */
@QuarkusTest
@TestProfile(BrokerOutageTest.OwnBroker.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class BrokerOutageTest {

    /** A broker of this profile's own, for the {@code inbound} channel. */
    public static class OwnBroker implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OwnBrokerResource.class));
        }
    }

    public static class OwnBrokerResource implements QuarkusTestResourceLifecycleManager {

        static KafkaProcess kafka;

        @Override
        public Map<String, String> start() {
            try {
                kafka = KafkaProcess.start(Files.createTempDirectory("baton-gateway-outage"));
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the gateway's own broker", e);
            }
            return Map.of("mp.messaging.outgoing.inbound.bootstrap.servers", kafka.bootstrapServers());
        }

        @Override
        public void stop() {
            try {
                kafka.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Inject
    GatewayConfig gateway;
    @Inject
    MeterRegistry registry;

    @Test
    void withoutABrokerADeliveryIsRefusedWithinThePublishTimeoutAndOnlyItsRedeliveryIsPublished() throws Exception {
        KafkaProcess broker = OwnBrokerResource.kafka;
        KafkaTestClient topic = new KafkaTestClient(broker.bootstrapServers());
        int sequence = ThreadLocalRandom.current().nextInt(100_000, 999_999_999);
        String key = "OUT-" + sequence;
        String body = planeV2StateChanged(uuid(), uuid(), "OUT", sequence, "alice");
        String delivery = uuid();
        // The gateway has been working: one delivery of another item went through before the outage.
        int warm = sequence + 1;
        deliver(planeV2StateChanged(uuid(), uuid(), "OUT", warm, "alice"), uuid()).then().statusCode(202);
        double refusedBefore = count("failed", "publish-timeout") + count("failed", "publish");

        broker.kill();
        long sent = System.nanoTime();
        Response refused = deliver(body, delivery);
        Duration answeredIn = Duration.ofNanos(System.nanoTime() - sent);

        refused.then().statusCode(503).contentType("application/problem+json")
                .body("status", equalTo(503)).body("instance", equalTo("/webhooks/plane"));
        assertTrue(answeredIn.compareTo(gateway.publishTimeout().plusSeconds(1)) <= 0,
                "answered in " + answeredIn + ", the publish timeout is " + gateway.publishTimeout());
        assertEquals(refusedBefore + 1, count("failed", "publish-timeout") + count("failed", "publish"));

        broker.restart(Duration.ofSeconds(90));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> given().port(ManagementInterface.port()).get("/q/health/ready").statusCode() == 200);
        // Plane sends the refused delivery again.
        deliver(body, delivery).then().statusCode(202).body("outcome", equalTo("published"));

        List<ConsumerRecord<String, String>> published = topic.publishedBefore(Topics.INBOUND, key, Duration.ofSeconds(30));
        assertEquals(1, published.size(), "the refused delivery must not land after the broker returned; on the topic: "
                + published);
    }

    private static Response deliver(String body, String delivery) {
        return given().contentType("application/json").header("X-Plane-Delivery", delivery)
                .header("X-Plane-Signature", sign(PLANE_SECRET, body))
                .body(body.getBytes(StandardCharsets.UTF_8)).when().post("/webhooks/plane");
    }

    private double count(String outcome, String reason) {
        Counter counter = registry.find(WebhookMetrics.NAME)
                .tags("source", "plane", "outcome", outcome, "reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }
}
