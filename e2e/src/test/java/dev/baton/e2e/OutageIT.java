package dev.baton.e2e;

import dev.baton.infra.LocalInfra;
import dev.baton.infra.fake.FakeOutside;
import dev.baton.infra.fake.WebhookPayloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.baton.e2e.PipelineDriver.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Infrastructure faults on the packaged services: the Kafka broker killed and started again on the
 * same port and log directories, and PostgreSQL crashed (immediate shutdown) and started again on
 * the same data directory. What an operator must be able to rely on:
 * <ul>
 *   <li>every health endpoint answers within a second, during the fault too;</li>
 *   <li>without Kafka, stage-service stays ready and keeps committing transitions into its outbox,
 *       the gateway is not ready and refuses a webhook with 503 within its publish timeout;</li>
 *   <li>after the broker returns, the outbox drains within 10 s, the notifier is still alive and
 *       every card catches up;</li>
 *   <li>after a PostgreSQL crash, every service is ready again, stage-service registers again, and
 *       transitions and cards flow.</li>
 * </ul>
 * The times measured are printed (the note and docs/reliability.md quote them).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutageIT {

    static final Duration READY = Duration.ofSeconds(180);
    static final Duration ANSWER = Duration.ofSeconds(1);
    /**
     * With the database down, the datasource checks of stage-service and the notifier answer in
     * 1.01-1.03 s (measured): one connection attempt inside each check, not a hang. Bounded at 2 s.
     */
    static final Duration ANSWER_WITHOUT_DATABASE = Duration.ofSeconds(2);
    static final String ADMIN = "e2e-admin-token";

    static BatonSystem system;
    static FakeOutside outside;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final Map<String, Duration> FIGURES = new LinkedHashMap<>();
    /** A Plane "created" delivery sent while the broker is away, and again once it is back. */
    static final String REFUSED_BODY = WebhookPayloads.planeV2Created(UUID.randomUUID().toString(),
            WebhookPayloads.uuid(), "KOUT", 999);
    static final String REFUSED_DELIVERY = UUID.randomUUID().toString();

    @BeforeAll
    static void startTheSystem() throws Exception {
        LocalInfra.configureLogging();
        Path root = Path.of(System.getProperty("baton.root", "..")).toAbsolutePath().normalize();
        system = BatonSystem.start(root, root.resolve("e2e/target/outage-logs"), Map.of(
                "BATON_RECOVERY_INTERVAL", "2s"), READY);
        outside = system.outside();
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        FIGURES.forEach((what, took) -> System.getLogger(OutageIT.class.getName())
                .log(System.Logger.Level.INFO, "outage figure: " + what + " = " + took.toMillis() + " ms"));
        if (system != null) {
            system.close();
        }
    }

    @Test
    @Order(1)
    void aKafkaOutageKeepsStageServiceServingAndEverythingCatchesUpWhenTheBrokerReturns() throws Exception {
        String first = advancedTask("KOUT");
        awaitCard(first);

        List<String> duringOutage = new ArrayList<>();
        List<String> slowAnswers = new ArrayList<>();
        int[] gatewayRefusal = new int[1];
        long[] refusalMillis = new long[1];
        system.kafkaOutage(() -> {
            try {
                long start = System.nanoTime();
                awaitTrue(() -> {
                    probeHealth(slowAnswers, ANSWER);
                    return Duration.ofNanos(System.nanoTime() - start).toSeconds() >= 12;
                }, Duration.ofSeconds(60), "12 s of health probes without a broker");
                for (int i = 0; i < 3; i++) {
                    duringOutage.add(advancedTask("KOUT"));
                }
                assertEquals(200, get("stage-service", "/q/health/ready").statusCode(),
                        "stage-service stays ready without Kafka");
                assertEquals(503, get("webhook-gateway", "/q/health/ready").statusCode(),
                        "the gateway is not ready without Kafka");
                long sent = System.nanoTime();
                gatewayRefusal[0] = planeWebhook(REFUSED_BODY, REFUSED_DELIVERY).statusCode();
                refusalMillis[0] = (System.nanoTime() - sent) / 1_000_000;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Duration.ofSeconds(90));
        long back = System.nanoTime();

        assertEquals(List.of(), slowAnswers, "health answers taking longer than " + ANSWER + " or hanging");
        assertEquals(503, gatewayRefusal[0], "a webhook without a broker is refused, for Plane to send again");
        assertTrue(refusalMillis[0] < 6_000, "refused within the publish timeout: " + refusalMillis[0] + " ms");
        assertEquals(404, get("stage-service", "/tasks/KOUT-999").statusCode(), "the refused webhook published nothing");

        awaitTrue(() -> unsentOutboxRows() == 0, Duration.ofSeconds(60), "the outbox to drain");
        Duration drained = Duration.ofNanos(System.nanoTime() - back);
        FIGURES.put("outbox drained after the broker returned", drained);
        assertTrue(drained.compareTo(Duration.ofSeconds(10)) <= 0, "the outbox drained in " + drained);

        awaitAllReady("kafka restart");
        assertEquals(200, get("notifier-service", "/q/health/live").statusCode(), "the notifier is alive after the outage");
        for (String task : duringOutage) {
            awaitCard(task);
        }
        // Plane sends the refused delivery again: now it is taken, and applied.
        assertEquals(202, planeWebhook(REFUSED_BODY, REFUSED_DELIVERY).statusCode());
        awaitTrue(() -> get("stage-service", "/tasks/KOUT-999").statusCode() == 200, Duration.ofSeconds(60),
                "the redelivered work item created");
    }

    @Test
    @Order(2)
    void aPostgresCrashIsRecoveredFromByEveryService() throws Exception {
        List<String> slowAnswers = new ArrayList<>();
        system.postgresCrash(() -> {
            try {
                long start = System.nanoTime();
                awaitTrue(() -> {
                    probeHealth(slowAnswers, ANSWER_WITHOUT_DATABASE);
                    return Duration.ofNanos(System.nanoTime() - start).toSeconds() >= 5;
                }, Duration.ofSeconds(60), "5 s of health probes without a database");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Duration.ofSeconds(60));
        assertEquals(List.of(), slowAnswers, "health answers taking longer than " + ANSWER_WITHOUT_DATABASE
                + " or hanging");

        awaitAllReady("postgres restart");
        String after = advancedTask("PGOUT");
        awaitCard(after);
    }

    /** A task created over REST and moved created → analysis (an effect-free transition). */
    private static String advancedTask(String prefix) throws Exception {
        String task = prefix + "-" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000);
        HttpResponse<String> created = post("stage-service", "/tasks", """
                {"id":"%s","repo":"%s","title":"Outage %s","stage":"created"}""".formatted(task, WebhookPayloads.REPO, task));
        assertEquals(201, created.statusCode(), created.body());
        HttpResponse<String> moved = post("stage-service", "/tasks/" + task + "/transitions", """
                {"from":"created","to":"analysis","actor":"operator","reason":"outage test","requestId":"%s"}"""
                .formatted(UUID.randomUUID()));
        assertEquals(200, moved.statusCode(), moved.body());
        return task;
    }

    private static void awaitCard(String task) throws Exception {
        awaitTrue(() -> outside.messages(FakeOutside.TELEGRAM_CHAT).stream()
                .anyMatch(m -> m.contains(task) && m.contains("Analysis")), Duration.ofSeconds(90), "the card of " + task);
    }

    /** One round of readiness and liveness probes of every service; a slow or hanging one is recorded. */
    private static void probeHealth(List<String> slow, Duration bound) {
        for (String service : BatonSystem.SERVICES) {
            for (String path : List.of("/q/health/ready", "/q/health/live")) {
                long start = System.nanoTime();
                try {
                    get(service, path);
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    if (millis > bound.toMillis()) {
                        slow.add(service + path + " " + millis + " ms");
                    }
                } catch (Exception e) {
                    slow.add(service + path + " " + e.getClass().getSimpleName());
                }
            }
        }
    }

    private static void awaitAllReady(String after) throws Exception {
        long start = System.nanoTime();
        for (String service : BatonSystem.SERVICES) {
            awaitTrue(() -> get(service, "/q/health/ready").statusCode() == 200, Duration.ofSeconds(90),
                    service + " ready after the " + after);
        }
        FIGURES.put("every service ready after the " + after, Duration.ofNanos(System.nanoTime() - start));
    }

    private static long unsentOutboxRows() throws Exception {
        try (var connection = DriverManager.getConnection(system.jdbcUrl(), "postgres", "postgres");
             var rows = connection.createStatement().executeQuery("SELECT count(*) FROM stage.outbox WHERE sent_at IS NULL")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static HttpResponse<String> planeWebhook(String body, String delivery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(system.service("webhook-gateway").url() + "/webhooks/plane"))
                .header("Content-Type", "application/json")
                .header("X-Plane-Delivery", delivery)
                .header("X-Plane-Signature", WebhookPayloads.sign(WebhookPayloads.PLANE_SECRET, body))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String service, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(system.service(service).url() + path))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String service, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(system.service(service).url() + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + ADMIN)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
