package dev.baton.gateway.rest;

import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static dev.baton.infra.fake.WebhookPayloads.GITEA_SECRET;
import static dev.baton.infra.fake.WebhookPayloads.PLANE_SECRET;
import static dev.baton.infra.fake.WebhookPayloads.giteaPullRequest;
import static dev.baton.infra.fake.WebhookPayloads.giteaPush;
import static dev.baton.infra.fake.WebhookPayloads.giteaStatus;
import static dev.baton.infra.fake.WebhookPayloads.giteaWorkflowRun;
import static dev.baton.infra.fake.WebhookPayloads.planeV1Deleted;
import static dev.baton.infra.fake.WebhookPayloads.planeV1StateChanged;
import static dev.baton.infra.fake.WebhookPayloads.planeV2Created;
import static dev.baton.infra.fake.WebhookPayloads.planeV2StateChanged;
import static dev.baton.infra.fake.WebhookPayloads.sign;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of generated bad deliveries, built from real payloads that would each be published if
 * delivered intact: forged, unsigned, tampered, truncated, non-JSON, mis-headed and oversized. Every
 * one must get its 4xx as problem+json, and none may reach the topic.
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class WebhookFuzzTest {

    private static final int CASES = 2400;
    private static final long SEED = 20261128L;
    private static final Duration BUDGET = Duration.ofSeconds(60);

    @TestHTTPResource("/webhooks/plane")
    URI planeUri;

    @TestHTTPResource("/webhooks/gitea")
    URI giteaUri;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** One generated request and the status it must get. */
    record Case(String kind, boolean toPlane, byte[] body, Map<String, String> headers, int expected) {
    }

    /** A delivery that would be published if sent intact. */
    record Genuine(boolean toPlane, String body, Map<String, String> headers) {
    }

    @Test
    void generatedBadDeliveriesGetTheirFourHundredsAndNothingReachesTheTopic() throws Exception {
        String marker = "FZ" + Math.abs(new Random().nextInt(1_000_000)) + "-" + (100_000 + new Random().nextInt(800_000));
        Random random = new Random(SEED);
        List<Genuine> genuine = genuineDeliveries(marker);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            cases.add(mutate(genuine.get(random.nextInt(genuine.size())), i, random));
        }
        for (int size : new int[] {1024 * 1024 + 1, 1024 * 1024 + 4096, 3 * 1024 * 1024}) {
            for (Genuine g : genuine.subList(0, 2)) {
                byte[] big = padded(g.body(), size);
                Map<String, String> headers = new LinkedHashMap<>(g.headers());
                headers.put(g.toPlane() ? "X-Plane-Signature" : "X-Gitea-Signature",
                        sign(g.toPlane() ? PLANE_SECRET : GITEA_SECRET, big));
                cases.add(new Case("oversized", g.toPlane(), big, headers, 413));
            }
        }

        long started = System.nanoTime();
        Map<String, Integer> byKind = new LinkedHashMap<>();
        for (Case c : cases) {
            HttpResponse<String> response = send(c);
            assertEquals(c.expected(), response.statusCode(), c.kind() + ": " + response.body());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""),
                    c.kind());
            assertTrue(response.body().contains("\"status\":" + c.expected()), c.kind() + ": " + response.body());
            byKind.merge(c.kind(), 1, Integer::sum);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(took.compareTo(BUDGET) < 0, cases.size() + " cases took " + took);
        assertTrue(byKind.size() >= 12, "every kind of bad input was generated: " + byKind);

        // The sentinel: the same genuine delivery, intact. The key pins one partition and every bad
        // request was answered before it was sent, so its record being the only one proves none got through.
        Genuine sentinel = genuine.get(0);
        HttpResponse<String> ok = http.send(request(sentinel.toPlane(), sentinel.body().getBytes(StandardCharsets.UTF_8),
                sentinel.headers()), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, ok.statusCode(), ok.body());
        KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());
        assertEquals(1, kafka.await(Topics.INBOUND, r -> marker.equals(r.key()), 1, Duration.ofSeconds(20)).size());
        List<ConsumerRecord<String, String>> all = kafka.await(Topics.INBOUND, r -> marker.equals(r.key()),
                Integer.MAX_VALUE, Duration.ofSeconds(2));
        assertEquals(1, all.size(), "bad deliveries reached the topic: " + all);
    }

    private List<Genuine> genuineDeliveries(String key) {
        String identifier = key.substring(0, key.indexOf('-'));
        int sequence = Integer.parseInt(key.substring(key.indexOf('-') + 1));
        List<Genuine> list = new ArrayList<>();
        list.add(plane(planeV2StateChanged(UUID.randomUUID().toString(), UUID.randomUUID().toString(), identifier,
                sequence, "alice")));
        list.add(gitea("pull_request", "pull_request", giteaPullRequest("closed", true, key + "-lease", "Lease", "alice")));
        list.add(plane(planeV1StateChanged(UUID.randomUUID().toString(), identifier, sequence, "alice",
                "2026-11-28T03:00:00.000000Z")));
        list.add(plane(planeV2Created(UUID.randomUUID().toString(), UUID.randomUUID().toString(), identifier, sequence)));
        list.add(plane(planeV1Deleted(key)));
        list.add(gitea("pull_request", "pull_request_sync",
                giteaPullRequest("synchronized", false, key + "-lease", "Lease", "alice")));
        list.add(gitea("push", "push", giteaPush(key + "-lease", "wip", "alice")));
        list.add(gitea("status", "status", giteaStatus("4f1c2b7a", "success", "ci/build", key + ": lease")));
        list.add(gitea("workflow_run", "workflow_run", giteaWorkflowRun("completed", key + "-lease", "failure")));
        return list;
    }

    private static Genuine plane(String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Plane-Event", "issue");
        headers.put("X-Plane-Delivery", UUID.randomUUID().toString());
        headers.put("X-Plane-Signature", sign(PLANE_SECRET, body));
        return new Genuine(true, body, headers);
    }

    private static Genuine gitea(String event, String eventType, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Gitea-Event", event);
        headers.put("X-Gitea-Event-Type", eventType);
        headers.put("X-Gitea-Delivery", UUID.randomUUID().toString());
        headers.put("X-Gitea-Signature", sign(GITEA_SECRET, body));
        return new Genuine(false, body, headers);
    }

    private static Case mutate(Genuine g, int i, Random random) {
        byte[] original = g.body().getBytes(StandardCharsets.UTF_8);
        String sigHeader = g.toPlane() ? "X-Plane-Signature" : "X-Gitea-Signature";
        String secret = g.toPlane() ? PLANE_SECRET : GITEA_SECRET;
        Map<String, String> headers = new LinkedHashMap<>(g.headers());
        return switch (i % 13) {
            case 0 -> {
                headers.remove(sigHeader);
                yield new Case("unsigned", g.toPlane(), original, headers, 401);
            }
            case 1 -> {
                headers.put(sigHeader, "");
                yield new Case("empty-signature", g.toPlane(), original, headers, 401);
            }
            case 2 -> {
                headers.put(sigHeader, sign("guess-" + random.nextInt(), original));
                yield new Case("forged", g.toPlane(), original, headers, 401);
            }
            case 3 -> {
                byte[] tampered = original.clone();
                int at = random.nextInt(tampered.length);
                tampered[at] = (byte) (tampered[at] ^ (1 + random.nextInt(127)));
                yield new Case("tampered", g.toPlane(), tampered, headers, 401);
            }
            case 4 -> {
                byte[] truncated = Arrays.copyOf(original, random.nextInt(original.length));
                headers.put(sigHeader, sign(secret, truncated));
                yield new Case("truncated-signed", g.toPlane(), truncated, headers, 400);
            }
            case 5 -> {
                byte[] truncated = Arrays.copyOf(original, random.nextInt(original.length));
                yield new Case("truncated-unsigned", g.toPlane(), truncated, headers, 401);
            }
            case 6 -> {
                byte[] noise = new byte[1 + random.nextInt(300)];
                random.nextBytes(noise);
                noise[0] = (byte) 'x'; // never starts a JSON value
                headers.put(sigHeader, sign(secret, noise));
                yield new Case("binary-signed", g.toPlane(), noise, headers, 400);
            }
            case 7 -> {
                String[] texts = {"event=issue&action=updated", "<xml><event>issue</event></xml>",
                        "event: issue\naction: updated\n", "[" + g.body() + "]", "\"" + i + "\"", "null", "42"};
                byte[] text = texts[random.nextInt(texts.length)].getBytes(StandardCharsets.UTF_8);
                headers.put(sigHeader, sign(secret, text));
                yield new Case("not-a-json-object", g.toPlane(), text, headers, 400);
            }
            case 8 -> {
                byte[] trailing = (g.body() + (random.nextBoolean() ? "}" : " {\"event\":\"issue\"}"))
                        .getBytes(StandardCharsets.UTF_8);
                headers.put(sigHeader, sign(secret, trailing));
                yield new Case("trailing-garbage", g.toPlane(), trailing, headers, 400);
            }
            case 9 -> {
                String hex = sign(secret, original);
                String[] bad = {"sha256=" + hex, hex.substring(0, 40), hex + "00", "zz" + hex.substring(2),
                        hex.substring(0, 63) + "g"};
                headers.put(sigHeader, bad[random.nextInt(bad.length)]);
                yield new Case("malformed-signature", g.toPlane(), original, headers, 401);
            }
            case 10 -> {
                headers.put(sigHeader, sign(g.toPlane() ? GITEA_SECRET : PLANE_SECRET, original));
                yield new Case("other-senders-secret", g.toPlane(), original, headers, 401);
            }
            case 11 -> {
                if (g.toPlane()) {
                    // One hex digit off, upper-cased: the case alone is not a difference (hex is
                    // case-insensitive), so the digit always changes, whatever the signature holds.
                    String right = sign(secret, original);
                    headers.put(sigHeader, ((right.charAt(0) == '0' ? "1" : "0") + right.substring(1)).toUpperCase());
                    yield new Case("near-miss-signature", true, original, headers, 401);
                }
                headers.remove(sigHeader);
                headers.put("X-Hub-Signature-256", random.nextBoolean() ? sign(secret, original)
                        : "sha256=" + sign("guess", original));
                yield new Case("bad-hub-signature", false, original, headers, 401);
            }
            default -> {
                if (g.toPlane()) {
                    byte[] empty = new byte[0];
                    headers.put(sigHeader, sign(secret, empty));
                    yield new Case("empty-body-signed", true, empty, headers, 400);
                }
                if (random.nextBoolean()) {
                    headers.remove("X-Gitea-Delivery");
                } else {
                    headers.remove("X-Gitea-Event");
                    headers.remove("X-Gitea-Event-Type");
                }
                yield new Case("missing-gitea-header", false, original, headers, 400);
            }
        };
    }

    private static byte[] padded(String body, int size) {
        byte[] big = new byte[size];
        Arrays.fill(big, (byte) ' ');
        byte[] head = body.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, big, 0, head.length);
        return big;
    }

    private HttpResponse<String> send(Case c) throws Exception {
        return http.send(request(c.toPlane(), c.body(), c.headers()), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(boolean toPlane, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(toPlane ? planeUri : giteaUri)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(builder::header);
        return builder.build();
    }
}
