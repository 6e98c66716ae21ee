package dev.baton.stage.console;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.OtherOwners;
import dev.baton.stage.OutsideWireMock;
import dev.baton.stage.job.RealPipeline;
import dev.baton.stage.lease.LivenessRegistration;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.zip.GZIPOutputStream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The board with 1,000 work items: server time to render (the {@code Server-Timing} the console
 * sends: queries, gates, template) and page weight. Not part of {@code verify} (no *Test suffix);
 * run it alone:
 * {@code ./mvnw -B -ntp -pl stage-service -am verify -Dtest=ConsoleBoardBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 * Results go to the log and to {@code target/console-board-bench.txt}.
 */
@QuarkusTest
@TestProfile(RealPipeline.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = OutsideWireMock.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ConsoleBoardBenchmark {

    private static final Logger LOG = Logger.getLogger(ConsoleBoardBenchmark.class);
    static final int ITEMS = 1000;
    static final int WARMUP = 10;
    static final int ROUNDS = 40;
    static final int READERS = 4;
    static final String STAGES = "'created','analysis','brd-approval','architecture','development','review',"
            + "'testing','deploy-staging','deploy','done','cancelled'";

    @Inject
    OtherOwners others;

    @Test
    void boardWithAThousandWorkItems() throws Exception {
        seed();
        LivenessRegistration owner = others.register();
        try {
            for (int i = 1; i <= ITEMS; i += 40) {
                String task = "BENCH-" + i;
                String stage = given().get("/tasks/" + task).then().extract().path("task.stage");
                if (!List.of("done", "cancelled").contains(stage)) {
                    others.acquire(task, owner, "monitor", stage, "cancelled");
                }
            }
            String session = given().redirects().follow(false).contentType(ContentType.URLENC)
                    .formParam("token", "test-console-token").post("/console/login").then().statusCode(303)
                    .extract().cookie(ConsoleSessions.COOKIE);

            StringBuilder report = new StringBuilder("board with " + ITEMS + " work items, " + ROUNDS
                    + " requests after " + WARMUP + " warm-up ones\n");
            for (String path : List.of("/console", "/console/board")) {
                List<Double> server = new ArrayList<>();
                List<Double> client = new ArrayList<>();
                String body = "";
                for (int round = 0; round < WARMUP + ROUNDS; round++) {
                    long started = System.nanoTime();
                    Response response = given().cookie(ConsoleSessions.COOKIE, session).get(path);
                    double wall = (System.nanoTime() - started) / 1e6;
                    assertEquals(200, response.statusCode());
                    body = response.asString();
                    if (round >= WARMUP) {
                        client.add(wall);
                        server.add(Double.parseDouble(response.header("Server-Timing").replaceAll(".*dur=", "")));
                    }
                }
                long cards = body.split("class=\"card\"", -1).length - 1;
                byte[] raw = body.getBytes(StandardCharsets.UTF_8);
                report.append(String.format("%-15s server p50 %.1f ms, p95 %.1f ms, max %.1f ms; client p50 %.1f ms;"
                                + " %d cards; %d bytes (%d gzipped)%n", path, percentile(server, 50),
                        percentile(server, 95), percentile(server, 100), percentile(client, 50), cards, raw.length,
                        gzipped(raw)));
            }
            report.append(underConcurrentRenders(session));
            for (String asset : List.of("/webjars/htmx.org/2.0.8/dist/htmx.min.js",
                    "/webjars/htmx-ext-sse/2.2.2/sse.js", "/console/assets/console.css")) {
                byte[] bytes = given().get(asset).then().statusCode(200).extract().asByteArray();
                report.append(String.format("%-45s %d bytes (%d gzipped), cacheable%n", asset, bytes.length,
                        gzipped(bytes)));
            }
            LOG.info(report);
            Files.writeString(Path.of("target", "console-board-bench.txt"), report);
        } finally {
            owner.sever().await().atMost(Duration.ofSeconds(5));
        }
    }

    /**
     * {@value #READERS} browsers refreshing the board at once while a probe asks for one work item
     * ({@code GET /tasks/BENCH-1}, a reactive route on the event loop) every 20 ms: the probe's latency
     * is what every other request of the service sees while boards render, and a render on an event
     * loop shows in it (as does a Vert.x blocked-thread warning, counted).
     */
    private String underConcurrentRenders(String session) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://localhost:" + RestAssured.port;
        HttpRequest board = HttpRequest.newBuilder(URI.create(base + "/console/board"))
                .header("Cookie", ConsoleSessions.COOKIE + "=" + session).build();
        HttpRequest item = HttpRequest.newBuilder(URI.create(base + "/tasks/BENCH-1")).build();
        List<String> blocked = new CopyOnWriteArrayList<>();
        Handler warnings = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
                if (message != null && message.contains("has been blocked for")) {
                    blocked.add(message);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger.getLogger("").addHandler(warnings);
        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        try {
            List<Future<Integer>> renders = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                renders.add(readers.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < ROUNDS / 2; i++) {
                        ok += http.send(board, HttpResponse.BodyHandlers.discarding()).statusCode() == 200 ? 1 : 0;
                    }
                    return ok;
                }));
            }
            List<Double> probe = new ArrayList<>();
            while (renders.stream().anyMatch(f -> !f.isDone())) {
                long started = System.nanoTime();
                assertEquals(200, http.send(item, HttpResponse.BodyHandlers.discarding()).statusCode());
                probe.add((System.nanoTime() - started) / 1e6);
                Thread.sleep(20);
            }
            int rendered = 0;
            for (Future<Integer> f : renders) {
                rendered += f.get();
            }
            assertEquals(READERS * (ROUNDS / 2), rendered, "every board answered 200");
            return String.format("%d boards refreshing at once (%d renders): GET /tasks/BENCH-1 meanwhile p50 %.1f ms,"
                            + " p95 %.1f ms, max %.1f ms over %d probes; blocked-thread warnings %d%n", READERS, rendered,
                    percentile(probe, 50), percentile(probe, 95), percentile(probe, 100), probe.size(), blocked.size());
        } finally {
            readers.shutdownNow();
            java.util.logging.Logger.getLogger("").removeHandler(warnings);
        }
    }

    /** 1,000 work items over every stage, with what the board marks: jobs, costs, PRs, CI, in-doubt effects, Plane syncs. */
    private static void seed() throws Exception {
        BatonTestResource.Servers s = BatonTestResource.servers();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
             Statement st = c.createStatement()) {
            st.execute("""
                    INSERT INTO stage.task (id, repo, title, stage, updated_at)
                    SELECT 'BENCH-' || g, 'acme/bench', 'Bench item ' || g || ': ' || md5(g::text),
                           (ARRAY[%s])[1 + g %% 11], now() - make_interval(mins => g)
                    FROM generate_series(1, %d) g""".formatted(STAGES, ITEMS));
            st.execute("""
                    INSERT INTO stage.stage_history (task_id, from_stage, to_stage, actor, kind, guarded)
                    SELECT id, NULL, stage, 'operator', 'created', true FROM stage.task WHERE repo = 'acme/bench'""");
            st.execute("""
                    INSERT INTO stage.job (task_id, stage, status, runner_id, started_at, exit_code, finished_at)
                    SELECT id, stage, (ARRAY['done','running','queued'])[1 + abs(hashtext(id)) % 3],
                           'runner-1', now() - interval '5 minutes', 0, now()
                    FROM stage.task WHERE repo = 'acme/bench'
                      AND stage IN ('analysis','architecture','development','review','testing','deploy-staging','deploy')""");
            st.execute("""
                    INSERT INTO stage.agent_run (job_id, task_id, agent, model, cost_usd, tokens_in, tokens_out)
                    SELECT id, task_id, 'developer', 'model-x', round((random() * 3)::numeric, 4), 20000, 4000
                    FROM stage.job WHERE task_id LIKE 'BENCH-%'""");
            st.execute("""
                    INSERT INTO stage.task_facts (task_id, pr_number, head_sha, pr_state, coverage)
                    SELECT id, 1 + abs(hashtext(id)) % 90000, md5(id), 'open', 80
                    FROM stage.task WHERE repo = 'acme/bench' AND abs(hashtext(id)) % 2 = 0""");
            st.execute("""
                    INSERT INTO stage.commit_status (repo, sha, context, state)
                    SELECT 'acme/bench', md5(task_id), 'ci/build', 'success' FROM stage.task_facts
                    WHERE task_id LIKE 'BENCH-%'""");
            st.execute("""
                    INSERT INTO stage.transition_effect (task_id, transition_seq, effect, token, from_stage, to_stage,
                                                         status, detail)
                    SELECT id, 0, 'merge_pr', 1, 'review', 'testing', 'in_doubt', 'bench'
                    FROM stage.task WHERE repo = 'acme/bench' AND stage = 'review' AND abs(hashtext(id)) % 10 = 0""");
            st.execute("""
                    INSERT INTO stage.plane_sync (task_id, version, from_stage, to_stage, actor, status)
                    SELECT id, 1, 'created', stage, 'operator', 'failed'
                    FROM stage.task WHERE repo = 'acme/bench' AND abs(hashtext(id)) % 20 = 0""");
        }
    }

    private static double percentile(List<Double> values, int p) {
        List<Double> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static int gzipped(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(raw);
        }
        return out.size();
    }
}
