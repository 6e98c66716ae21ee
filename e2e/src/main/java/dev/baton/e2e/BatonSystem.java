package dev.baton.e2e;

import dev.baton.infra.EmbeddedPostgresServer;
import dev.baton.infra.KafkaProcess;
import dev.baton.infra.Ports;
import dev.baton.infra.ServiceProcess;
import dev.baton.infra.fake.FakeOutside;
import dev.baton.infra.fake.WebhookPayloads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The whole system on this machine, as it ships: a real PostgreSQL (a child process), a real Kafka
 * broker (a child process, so a fault test can kill it and start it again on the same port and log
 * directories), the fake outside world (with real git repositories) in this JVM, and the five
 * packaged services as processes on free ports, wired to each other through their environment
 * only; the agent-runner runs the example agents of {@code agents/agents.json}. The end-to-end test
 * and the end-to-end benchmark
 * start it the same way. A service may run as several replicas (instances {@code stage-service},
 * {@code stage-service-2}, …, each on its own port); stage-service's replicas are then reached through
 * a {@link Balancer}, as through a Kubernetes Service.
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
    /** Instance name → its module: {@code stage-service-2} → {@code stage-service}. */
    private final Map<String, String> modules = new LinkedHashMap<>();
    private final Balancer stageBalancer;
    private final Map<String, ServiceProcess> running = new LinkedHashMap<>();
    private final Map<String, Duration> readyAfter = new LinkedHashMap<>();

    private BatonSystem(Path root, Path logs, Map<String, String> overrides, Map<String, Integer> replicas)
            throws Exception {
        this.root = root;
        this.logs = logs;
        Files.createDirectories(logs);
        postgres = EmbeddedPostgresServer.start(0, Files.createTempDirectory("baton-e2e-pg").resolve("pg"));
        kafka = KafkaProcess.start(Files.createTempDirectory("baton-e2e-kafka"));
        outside = FakeOutside.start(0);
        for (String service : SERVICES) {
            for (int replica = 1; replica <= replicas.getOrDefault(service, 1); replica++) {
                String instance = replica == 1 ? service : service + "-" + replica;
                modules.put(instance, service);
                ports.put(instance, Ports.free());
            }
        }
        stageBalancer = replicas.getOrDefault("stage-service", 1) > 1
                ? Balancer.start(() -> instancesOf("stage-service").stream().map(ports::get).toList()) : null;
        env.put("BATON_PG_URL", postgres.url());
        env.put("BATON_PG_USER", EmbeddedPostgresServer.USER);
        env.put("BATON_PG_PASSWORD", EmbeddedPostgresServer.PASSWORD);
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("BATON_STAGE_SERVICE_URL", stageBalancer != null ? stageBalancer.url()
                : "http://127.0.0.1:" + ports.get("stage-service"));
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
        return start(root, logs, overrides, Map.of(), ready);
    }

    /** As {@link #start(Path, Path, Map, Duration)}, with {@code replicas} instances of the services named (default 1). */
    public static BatonSystem start(Path root, Path logs, Map<String, String> overrides, Map<String, Integer> replicas,
            Duration ready) throws Exception {
        BatonSystem system = new BatonSystem(root, logs, overrides, replicas);
        try {
            long started = System.nanoTime();
            for (String instance : system.modules.keySet()) {
                system.launch(instance);
            }
            for (String instance : system.modules.keySet()) {
                system.running.get(instance).awaitReady(ready);
                system.readyAfter.put(instance, Duration.ofNanos(System.nanoTime() - started));
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

    /** The instance of that name ({@code stage-service}, {@code stage-service-2}, …). */
    public ServiceProcess service(String name) {
        return running.get(name);
    }

    /** Every instance's name, replicas included, in start order. */
    public List<String> instances() {
        return List.copyOf(modules.keySet());
    }

    /** The instances of one service. */
    public List<String> instancesOf(String service) {
        return modules.entrySet().stream().filter(e -> e.getValue().equals(service)).map(Map.Entry::getKey).toList();
    }

    /** Where stage-service's API is reached: its one instance, or the balancer in front of its replicas. */
    public String stageServiceUrl() {
        return stageBalancer != null ? stageBalancer.url() : service("stage-service").url();
    }

    /** How long after the start of all five each service was first seen ready (they start together). */
    public Map<String, Duration> readyAfter() {
        return readyAfter;
    }

    public PipelineDriver driver() {
        return new PipelineDriver(service("webhook-gateway").url(), stageServiceUrl(),
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

    /** SIGKILLs instance {@code service}, starts it again on the same port, and waits until it is ready. */
    public void killAndRestart(String service, Duration ready, Runnable whileDown) throws Exception {
        running.get(service).kill();
        whileDown.run();
        launch(service).awaitReady(ready);
    }

    /** How a SIGTERMed instance ended: by itself with {@code code} after {@code after}, or SIGKILLed at the limit. */
    public record Terminated(boolean byItself, int code, Duration after) {
    }

    /**
     * SIGTERMs instance {@code service} as the kubelet does and lets it drain; SIGKILLs it if it has not
     * exited within {@code exitWithin} (the pod's grace period). Then {@code whileDown} runs, the instance
     * starts again on the same port, and this waits until it is ready.
     */
    public Terminated terminateAndRestart(String service, Duration exitWithin, Duration ready, Runnable whileDown)
            throws Exception {
        ServiceProcess process = running.get(service);
        long sent = System.nanoTime();
        process.terminate();
        OptionalInt code = process.awaitExit(exitWithin);
        Duration after = Duration.ofNanos(System.nanoTime() - sent);
        if (code.isEmpty()) {
            process.kill();
        }
        whileDown.run();
        launch(service).awaitReady(ready);
        return new Terminated(code.isPresent(), code.orElse(-1), after);
    }

    private ServiceProcess launch(String instance) throws IOException {
        Map<String, String> environment = new LinkedHashMap<>(env);
        // Each replica is its own host, as in a cluster (instance ids and consumer identities derive from it).
        environment.put("HOSTNAME", instance);
        ServiceProcess process = ServiceProcess.start(root, modules.get(instance), ports.get(instance), environment,
                logs.resolve(instance + ".log"));
        running.put(instance, process);
        return process;
    }

    @Override
    public void close() throws Exception {
        for (ServiceProcess service : running.values()) {
            service.close();
        }
        if (stageBalancer != null) {
            stageBalancer.close();
        }
        outside.close();
        kafka.close();
        postgres.close();
    }
}
