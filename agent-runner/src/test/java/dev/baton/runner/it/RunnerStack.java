package dev.baton.runner.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.infra.EmbeddedKafkaBroker;
import dev.baton.infra.EmbeddedPostgresServer;
import dev.baton.infra.Ports;
import dev.baton.infra.ServiceProcess;
import dev.baton.infra.fake.FakeOutside;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The runner's world, for real: PostgreSQL and a Kafka broker in this JVM, the fake Gitea (real
 * git over HTTP) and Plane, the PACKAGED stage-service as a process, and packaged agent-runners as
 * processes started per test (so a test can SIGKILL one).
 */
final class RunnerStack implements AutoCloseable {

    static final Duration READY = Duration.ofSeconds(120);
    static final String GITEA_TOKEN = FakeOutside.GITEA_TOKEN;
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    final Path work;
    final EmbeddedPostgresServer postgres;
    final EmbeddedKafkaBroker kafka;
    final FakeOutside outside;
    final ServiceProcess stage;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<ServiceProcess> runners = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    RunnerStack(Path root) throws Exception {
        this.root = root;
        this.work = Files.createDirectories(root.resolve("agent-runner/target/it-work-" + UUID.randomUUID()));
        postgres = EmbeddedPostgresServer.start(0, work.resolve("pg"));
        kafka = EmbeddedKafkaBroker.start();
        outside = FakeOutside.start(0);
        env.put("BATON_PG_URL", postgres.url());
        env.put("BATON_PG_USER", EmbeddedPostgresServer.USER);
        env.put("BATON_PG_PASSWORD", EmbeddedPostgresServer.PASSWORD);
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("BATON_GITEA_URL", outside.baseUrl());
        env.put("BATON_GITEA_TOKEN", GITEA_TOKEN);
        env.put("BATON_PLANE_URL", outside.baseUrl());
        env.put("BATON_PLANE_API_KEY", FakeOutside.PLANE_API_KEY);
        int port = Ports.free();
        env.put("BATON_STAGE_SERVICE_URL", "http://127.0.0.1:" + port);
        stage = ServiceProcess.start(root, "stage-service", port, env, work.resolve("logs/stage-service.log"));
        stage.awaitReady(READY);
    }

    /** A packaged runner named {@code id} with the agents file and settings given, ready (registered). */
    ServiceProcess runner(String id, Path agents, Map<String, String> settings) throws Exception {
        Map<String, String> runnerEnv = new LinkedHashMap<>(env);
        runnerEnv.put("BATON_RUNNER_ID", id);
        runnerEnv.put("BATON_AGENTS_FILE", agents.toString());
        runnerEnv.put("BATON_RUNNER_WORKDIR", work.resolve("runner-" + id).toString());
        runnerEnv.put("BATON_RUNNER_GIT_URL", outside.git().urlTemplate());
        runnerEnv.put("BATON_RUNNER_KILL_GRACE", "2s");
        runnerEnv.putAll(settings);
        ServiceProcess runner = ServiceProcess.start(root, "agent-runner", Ports.free(), runnerEnv,
                work.resolve("logs/runner-" + id + ".log"));
        runners.add(runner);
        runner.awaitReady(READY);
        return runner;
    }

    Path runnerLog(String id) {
        return work.resolve("logs/runner-" + id + ".log");
    }

    /** An executable shell script agent. */
    Path script(String name, String body) throws IOException {
        Path file = Files.createDirectories(work.resolve("agents")).resolve(name + ".sh");
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** An agents file with one definition for {@code analysis}. */
    Path agents(String name, String definition) throws IOException {
        Path file = Files.createDirectories(work.resolve("agents")).resolve(name + ".json");
        Files.writeString(file, "{\"agents\":{\"analysis\":" + definition + "}}");
        return file;
    }

    /** A task of {@code repo}, moved into analysis: its job is queued. */
    void queueAnalysis(String task, String repo) throws Exception {
        expect(201, post("/tasks", """
                {"id":"%s","repo":"%s","title":"Make it; rm -rf / $(reboot)","stage":"created",\
                "planeProject":"p-1","planeIssue":"i-%s"}""".formatted(task, repo, task)));
        transition(task, "created", "analysis");
    }

    void transition(String task, String from, String to) throws Exception {
        expect(200, post("/tasks/" + task + "/transitions", """
                {"from":"%s","to":"%s","actor":"operator","reason":"test","requestId":"%s"}"""
                .formatted(from, to, UUID.randomUUID())));
    }

    String stageOf(String task) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stage.url() + "/tasks/" + task))
                .build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).path("task").path("stage").asText();
    }

    JsonNode getJson(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(stage.url() + path)).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(int status, HttpResponse<String> response) {
        if (response.statusCode() != status) {
            throw new IllegalStateException("expected " + status + ", got " + response.statusCode() + ": "
                    + response.body());
        }
    }

    /** Rows of a query with one parameter, each row as column → value. */
    List<Map<String, Object>> rows(String sql, Object parameter) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:" + postgres.url(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD); PreparedStatement statement = c.prepareStatement(sql)) {
            statement.setObject(1, parameter);
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= result.getMetaData().getColumnCount(); i++) {
                        row.put(result.getMetaData().getColumnLabel(i), result.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    long count(String sql, Object parameter) throws SQLException {
        return ((Number) rows(sql, parameter).get(0).values().iterator().next()).longValue();
    }

    /** Stops every runner started so far (SIGTERM, graceful). */
    void stopRunners() throws InterruptedException {
        for (ServiceProcess runner : runners) {
            runner.close();
        }
        runners.clear();
    }

    @Override
    public void close() throws Exception {
        stopRunners();
        stage.close();
        outside.close();
        kafka.close();
        postgres.close();
    }
}
