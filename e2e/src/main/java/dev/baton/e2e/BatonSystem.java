package dev.baton.e2e;

import dev.baton.infra.EmbeddedPostgresServer;
import dev.baton.infra.KafkaProcess;
import dev.baton.infra.ServiceProcess;
import dev.baton.infra.fake.FakeOutside;
import dev.baton.infra.fake.WebhookPayloads;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole system on this machine, as it ships: a real PostgreSQL (a child process), a real Kafka
 * broker (a child process, so a fault test can kill it and start it again on the same port and log
 * directories), the fake outside world (with real git repositories) in this JVM, and the five
 * packaged services as processes on free ports, wired to each other through their environment
 * only; the agent-runner runs the example agents of {@code agents/agents.json}. The end-to-end test
 * and the end-to-end benchmark
 * start it the same way.
 */
public final class BatonSystem implements AutoCloseable {

    public static final List<String> SERVICES = List.of("webhook-gateway", "stage-service", "reaper-service",
            "notifier-service", "agent-runner");

    private final Path root;
    private final Path logs;
    private final EmbeddedPostgresServer postgres;
    private final KafkaProcess kafka;
    private final FakeOutside outside;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, ServiceProcess> running = new LinkedHashMap<>();
    private final Map<String, Duration> readyAfter = new LinkedHashMap<>();

    private BatonSystem(Path root, Path logs, Map<String, String> overrides) throws Exception {
        this.root = root;
        this.logs = logs;
        Files.createDirectories(logs);
        postgres = EmbeddedPostgresServer.start(0, Files.createTempDirectory("baton-e2e-pg").resolve("pg"));
        kafka = KafkaProcess.start(Files.createTempDirectory("baton-e2e-kafka"));
        outside = FakeOutside.start(0);
        for (String service : SERVICES) {
            ports.put(service, freePort());
        }
        env.put("BATON_PG_URL", postgres.url());
        env.put("BATON_PG_USER", EmbeddedPostgresServer.USER);
        env.put("BATON_PG_PASSWORD", EmbeddedPostgresServer.PASSWORD);
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("BATON_STAGE_SERVICE_URL", "http://127.0.0.1:" + ports.get("stage-service"));
        env.put("BATON_SELF_REPO", WebhookPayloads.REPO);
        env.put("BATON_GITEA_URL", outside.baseUrl());
        env.put("BATON_GITEA_TOKEN", FakeOutside.GITEA_TOKEN);
        env.put("BATON_PLANE_URL", outside.baseUrl());
        env.put("BATON_TELEGRAM_API_URL", outside.baseUrl());
        env.put("BATON_TELEGRAM_BOT_TOKEN", FakeOutside.TELEGRAM_TOKEN);
        env.put("BATON_TELEGRAM_CHAT_ID", FakeOutside.TELEGRAM_CHAT);
        env.put("BATON_PLANE_WEBHOOK_SECRET", WebhookPayloads.PLANE_SECRET);
        env.put("BATON_GITEA_WEBHOOK_SECRET", WebhookPayloads.GITEA_SECRET);
        env.put("BATON_ADMIN_TOKEN", "e2e-admin-token");
        env.put("BATON_AGENTS_FILE", root.resolve("agents/agents.json").toString());
        env.put("BATON_RUNNER_GIT_URL", outside.git().urlTemplate());
        env.put("BATON_RUNNER_WORKDIR", logs.resolve("runner").toString());
        env.put("BATON_RUNNER_ID", "e2e-runner");
        env.putAll(overrides);
    }

    /**
     * Starts everything and waits until each service is ready.
     *
     * @param root      the repository root (services are started from {@code <root>/<module>/target/quarkus-app})
     * @param overrides environment for every service, over the defaults above
     */
    public static BatonSystem start(Path root, Path logs, Map<String, String> overrides, Duration ready)
            throws Exception {
        BatonSystem system = new BatonSystem(root, logs, overrides);
        try {
            long started = System.nanoTime();
            for (String service : SERVICES) {
                system.launch(service);
            }
            for (String service : SERVICES) {
                system.running.get(service).awaitReady(ready);
                system.readyAfter.put(service, Duration.ofNanos(System.nanoTime() - started));
            }
            return system;
        } catch (Exception | Error e) {
            system.close();
            throw e;
        }
    }

    /** The PostgreSQL server's version, as it reports it. */
    public String postgresVersion() throws java.sql.SQLException {
        try (var connection = java.sql.DriverManager.getConnection("jdbc:" + postgres.url(), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD); var rows = connection.createStatement().executeQuery("SHOW server_version")) {
            rows.next();
            return rows.getString(1);
        }
    }

    /** The broker every service uses, for a test that reads or writes a topic itself. */
    public String kafkaBootstrap() {
        return kafka.bootstrapServers();
    }

    public FakeOutside outside() {
        return outside;
    }

    public ServiceProcess service(String name) {
        return running.get(name);
    }

    /** How long after the start of all five each service was first seen ready (they start together). */
    public Map<String, Duration> readyAfter() {
        return readyAfter;
    }

    public PipelineDriver driver() {
        return new PipelineDriver(service("webhook-gateway").url(), service("stage-service").url(),
                WebhookPayloads.PLANE_SECRET, WebhookPayloads.GITEA_SECRET);
    }

    /** The broker is SIGKILLed, {@code whileDown} runs, then it starts again on the same port and log directories. */
    public void kafkaOutage(Runnable whileDown, Duration ready) throws Exception {
        kafka.kill();
        whileDown.run();
        kafka.restart(ready);
    }

    /** PostgreSQL crashes (immediate shutdown), {@code whileDown} runs, then it starts again and recovers. */
    public void postgresCrash(Runnable whileDown, Duration ready) throws Exception {
        postgres.crashAndRestart(whileDown, ready);
    }

    /** {@code jdbc:postgresql://…} of the system's database, for a test's direct reads. */
    public String jdbcUrl() {
        return "jdbc:" + postgres.url();
    }

    /** SIGKILLs {@code service}, starts it again on the same port, and waits until it is ready. */
    public void killAndRestart(String service, Duration ready, Runnable whileDown) throws Exception {
        running.get(service).kill();
        whileDown.run();
        launch(service).awaitReady(ready);
    }

    private ServiceProcess launch(String service) throws IOException {
        ServiceProcess process = ServiceProcess.start(root, service, ports.get(service), env,
                logs.resolve(service + ".log"));
        running.put(service, process);
        return process;
    }

    @Override
    public void close() throws Exception {
        for (ServiceProcess service : running.values()) {
            service.close();
        }
        outside.close();
        kafka.close();
        postgres.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
