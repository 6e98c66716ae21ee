package dev.baton.infra;

import dev.baton.infra.fake.FakeOutside;
import dev.baton.infra.fake.WebhookPayloads;

import dev.baton.events.Topics;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;
import sun.misc.Signal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The backing servers of {@code ./baton up}, in one plain JVM (no Quarkus):
 *
 * <ol>
 *   <li>PostgreSQL: the one named by {@code BATON_PG_URL} (with {@code BATON_PG_USER} /
 *       {@code BATON_PG_PASSWORD}) if set; else an embedded one with its data under
 *       {@code <state-dir>/pg}, on {@code BATON_LOCAL_PG_PORT} (default {@value #DEFAULT_PG_PORT}) so
 *       that reruns are predictable, or on any free port, said loudly, when that one is taken.</li>
 *   <li>Kafka: the broker named by {@code KAFKA_BOOTSTRAP_SERVERS} if set, where the Baton topics
 *       are created; else an embedded single-node broker (which creates them).</li>
 *   <li>The fake outside world (see {@link #fakes}), unless {@code BATON_LOCAL_FAKES=off}.</li>
 *   <li>Only when all are ready, {@code <state-dir>/infra.env} is written (atomically, mode 600:
 *       it holds the database password) with {@code BATON_PG_URL}, {@code BATON_PG_USER},
 *       {@code BATON_PG_PASSWORD}, {@code KAFKA_BOOTSTRAP_SERVERS} and the fakes' defaults: the script
 *       waits for that file.</li>
 *   <li>Then it blocks until SIGTERM/SIGINT, closes the broker, then PostgreSQL, removes the env
 *       file and exits. The postmaster is a detached child process ({@code pg_ctl} starts it in its
 *       own session), so it would outlive this JVM if it were not stopped here; a shutdown hook
 *       stops it on any other way out.</li>
 * </ol>
 *
 * Exit code 2 with one log line when a setting is wrong or a server cannot start; every server
 * already started is stopped first.
 */
public final class LocalInfra {

    static {
        // Before the first logger exists: the broker logs through SLF4J into JBoss LogManager, so that
        // one log manager holds every category (and the levels set below), and records logged while
        // the JVM exits are not dropped by the JDK's own log manager resetting itself.
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
    }

    /** Where rerun after rerun finds the embedded PostgreSQL, unless {@code BATON_LOCAL_PG_PORT} says otherwise. */
    public static final int DEFAULT_PG_PORT = 55432;
    /** The file the script waits for, inside the state directory. */
    public static final String ENV_FILE = "infra.env";
    /** Where the fake Gitea, Plane and Telegram answer, unless {@code BATON_LOCAL_FAKE_PORT} says otherwise. */
    public static final int DEFAULT_FAKE_PORT = 8089;

    private static final Logger LOG = Logger.getLogger(LocalInfra.class.getName());
    /** Strong references: a JUL logger that is garbage-collected forgets the level set on it. */
    private static final List<Logger> QUIETED = new ArrayList<>();

    private final List<AutoCloseable> owned = new ArrayList<>();

    private LocalInfra() {
    }

    /** {@code LocalInfra <state-dir>}; settings come from the environment (see the class javadoc). */
    public static void main(String[] args) {
        configureLogging();
        if (args.length != 1) {
            LOG.severe("usage: LocalInfra <state-dir>");
            System.exit(2);
        }
        Path stateDir = Path.of(args[0]).toAbsolutePath();
        Map<String, String> env = System.getenv();
        int pgPort;
        try {
            pgPort = Integer.parseInt(env.getOrDefault("BATON_LOCAL_PG_PORT", String.valueOf(DEFAULT_PG_PORT)).trim());
        } catch (NumberFormatException e) {
            LOG.severe("BATON_LOCAL_PG_PORT is malformed: expected a port number 1-65535");
            System.exit(2);
            return;
        }

        LocalInfra infra = new LocalInfra();
        CountDownLatch stopRequested = new CountDownLatch(1);
        // SIGTERM/SIGINT stop the servers here, in order, BEFORE the JVM's shutdown begins: shutdown
        // hooks run concurrently, and the broker's own hook deletes its log directory while a close
        // from another hook is still writing checkpoints into it. A signal during start-up is kept
        // by the latch and honoured as soon as start-up ends. sun.misc.Signal is in jdk.unsupported,
        // kept by JEP 260 for this very use: the only way to act on a signal before the JVM starts exiting.
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> stopRequested.countDown());
        }
        // Any other way out (an error, System.exit) still stops the detached postmaster.
        Runtime.getRuntime().addShutdownHook(new Thread(infra::close, "baton-infra-shutdown"));

        Path envFile = stateDir.resolve(ENV_FILE);
        int exitCode = 0;
        try {
            Files.createDirectories(stateDir);
            Files.deleteIfExists(envFile);
            Map<String, String> addresses = new LinkedHashMap<>();
            addresses.putAll(infra.postgres(env, pgPort, stateDir.resolve("pg")));
            addresses.putAll(infra.kafka(env));
            addresses.putAll(infra.fakes(env));
            writeEnvFile(envFile, addresses);
            LOG.info("ready: PostgreSQL at " + addresses.get("BATON_PG_URL") + ", Kafka at "
                    + addresses.get("KAFKA_BOOTSTRAP_SERVERS") + "; addresses in " + envFile);
            stopRequested.await();
            LOG.info("stopping");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | Error e) {
            // An Error too: the broker's non-daemon threads would otherwise keep a half-started JVM alive.
            LOG.log(Level.SEVERE, "cannot start the local infrastructure: " + e.getMessage(), e);
            exitCode = 2;
        }
        infra.close();
        try {
            Files.deleteIfExists(envFile);
        } catch (IOException e) {
            LOG.warning("cannot remove " + envFile + ": " + e.getMessage());
        }
        System.exit(exitCode);
    }

    private Map<String, String> postgres(Map<String, String> env, int preferredPort, Path dataDirectory) throws IOException {
        String url = env.get("BATON_PG_URL");
        if (url != null && !url.isBlank()) {
            LOG.info("using the PostgreSQL given by BATON_PG_URL: " + url);
            // User and password as given; unset ones stay unset, so each service keeps its own default.
            Map<String, String> given = ordered("BATON_PG_URL", url.trim());
            for (String variable : List.of("BATON_PG_USER", "BATON_PG_PASSWORD")) {
                String value = env.get(variable);
                if (value != null && !value.isEmpty()) {
                    given.put(variable, value);
                }
            }
            given.put("BATON_INFRA_PG", "external");
            return given;
        }
        if (preferredPort < 1 || preferredPort > 65535) {
            throw new IllegalArgumentException("BATON_LOCAL_PG_PORT=" + preferredPort + " is not a port number 1-65535");
        }
        int port = preferredPort;
        if (!isFree(preferredPort)) {
            port = 0;
            LOG.warning("port " + preferredPort + " (BATON_LOCAL_PG_PORT) is taken by another process:"
                    + " the embedded PostgreSQL takes any free port instead; infra.env says which");
        }
        clearStaleDataDirectory(dataDirectory);
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(port, dataDirectory);
        owned.add(pg);
        LOG.info("embedded PostgreSQL on " + pg.url() + ", data in " + dataDirectory);
        return ordered("BATON_PG_URL", pg.url(),
                "BATON_PG_USER", EmbeddedPostgresServer.USER,
                "BATON_PG_PASSWORD", EmbeddedPostgresServer.PASSWORD,
                "BATON_INFRA_PG", "embedded");
    }

    /**
     * The data of a run lives as long as the run (zonky removes it at a clean stop), so a directory
     * still there is what a killed run left; initdb refuses a non-empty one. A postmaster that
     * still serves it is not ours to kill from here: the script stops it ({@code ./baton down}).
     */
    private static void clearStaleDataDirectory(Path dataDirectory) throws IOException {
        if (!Files.isDirectory(dataDirectory)) {
            return;
        }
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (Files.isRegularFile(pidFile)) {
            String firstLine = Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").trim();
            if (firstLine.matches("\\d+") && ProcessHandle.of(Long.parseLong(firstLine)).map(ProcessHandle::isAlive).orElse(false)) {
                throw new IllegalStateException("a PostgreSQL (pid " + firstLine + ") still runs on " + dataDirectory
                        + ", left by an earlier run: stop it with ./baton down");
            }
        }
        LOG.info("removing the data a previous run left in " + dataDirectory);
        try (Stream<Path> paths = Files.walk(dataDirectory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private Map<String, String> kafka(Map<String, String> env) throws Exception {
        String bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS");
        if (bootstrap != null && !bootstrap.isBlank()) {
            LOG.info("using the Kafka given by KAFKA_BOOTSTRAP_SERVERS: " + bootstrap + "; creating topics " + Topics.ALL);
            EmbeddedKafkaBroker.createTopics(bootstrap.trim(), Topics.ALL);
            return ordered("KAFKA_BOOTSTRAP_SERVERS", bootstrap.trim(), "BATON_INFRA_KAFKA", "external");
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        owned.add(broker);
        LOG.info("embedded Kafka on " + broker.bootstrapServers() + " with topics " + Topics.ALL);
        return ordered("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(), "BATON_INFRA_KAFKA", "embedded");
    }

    /**
     * The outside world on this machine ({@link FakeOutside}: Gitea, Plane, Telegram) on
     * {@code BATON_LOCAL_FAKE_PORT} (default {@value #DEFAULT_FAKE_PORT}), unless
     * {@code BATON_LOCAL_FAKES=off}. Each address, token and secret it needs is a default only: a
     * variable already set in the environment (a real Gitea, a real bot) is left as it is.
     */
    private Map<String, String> fakes(Map<String, String> env) {
        if ("off".equalsIgnoreCase(env.getOrDefault("BATON_LOCAL_FAKES", "").trim())) {
            LOG.info("no local fakes (BATON_LOCAL_FAKES=off)");
            return Map.of();
        }
        int port = Integer.parseInt(env.getOrDefault("BATON_LOCAL_FAKE_PORT", String.valueOf(DEFAULT_FAKE_PORT)).trim());
        FakeOutside fake = FakeOutside.start(port);
        owned.add(fake);
        LOG.info("fake Gitea, Plane and Telegram Bot API on " + fake.baseUrl()
                + " (current Telegram messages: " + fake.baseUrl() + "/__fake/telegram/messages); git repositories on "
                + fake.git().baseUrl());
        Map<String, String> defaults = ordered(
                "BATON_GITEA_URL", fake.baseUrl(),
                "BATON_GITEA_TOKEN", FakeOutside.GITEA_TOKEN,
                "BATON_PLANE_URL", fake.baseUrl(),
                "BATON_TELEGRAM_API_URL", fake.baseUrl(),
                "BATON_TELEGRAM_BOT_TOKEN", FakeOutside.TELEGRAM_TOKEN,
                "BATON_TELEGRAM_CHAT_ID", FakeOutside.TELEGRAM_CHAT,
                "BATON_PLANE_WEBHOOK_SECRET", WebhookPayloads.PLANE_SECRET,
                "BATON_GITEA_WEBHOOK_SECRET", WebhookPayloads.GITEA_SECRET,
                "BATON_SELF_REPO", WebhookPayloads.REPO,
                "BATON_RUNNER_GIT_URL", fake.git().urlTemplate());
        Map<String, String> given = new LinkedHashMap<>();
        defaults.forEach((key, value) -> {
            if (env.getOrDefault(key, "").isBlank()) {
                given.put(key, value);
            }
        });
        given.put("BATON_FAKE_URL", fake.baseUrl());
        return given;
    }

    /** Closes in reverse start order: the broker, then PostgreSQL (zonky runs {@code pg_ctl stop}). */
    private synchronized void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            AutoCloseable server = owned.get(i);
            try {
                server.close();
                LOG.info("stopped " + server.getClass().getSimpleName());
            } catch (Exception e) {
                LOG.log(Level.WARNING, "cannot stop " + server.getClass().getSimpleName() + ": " + e.getMessage(), e);
            }
        }
        owned.clear();
    }

    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** Plain {@code KEY=value} lines; written to a temporary file and moved, so a reader never sees half of it. */
    private static void writeEnvFile(Path envFile, Map<String, String> addresses) throws IOException {
        StringBuilder text = new StringBuilder();
        addresses.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        Path tmp = envFile.resolveSibling(ENV_FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, envFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, envFile, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * One line per record on standard output, which the script sends to {@code .baton/logs/infra.log};
     * the broker logs thousands of INFO lines at start, so only its warnings are kept.
     */
    /** Also used by the end-to-end run, which hosts the same servers in its own JVM. */
    public static void configureLogging() {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        root.addHandler(new ConsoleHandler(ConsoleHandler.Target.SYSTEM_OUT,
                new PatternFormatter("%d{HH:mm:ss,SSS} %-5p [%c{3.}] %s%e%n")));
        root.setLevel(Level.INFO);
        for (String category : List.of("kafka", "org.apache.kafka", "state.change.logger", "org.apache.zookeeper",
                "org.eclipse.jetty", "wiremock", "com.github.tomakehurst")) {
            Logger logger = Logger.getLogger(category);
            logger.setLevel(Level.WARNING);
            QUIETED.add(logger);
        }
    }
}
