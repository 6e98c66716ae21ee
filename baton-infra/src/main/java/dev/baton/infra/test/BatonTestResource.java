package dev.baton.infra.test;

import dev.baton.infra.EmbeddedKafkaBroker;
import dev.baton.infra.EmbeddedPostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} a REAL PostgreSQL and a REAL Kafka broker.
 *
 * <ul>
 *   <li>PostgreSQL: embedded (zonky) unless {@code BATON_TEST_PG_URL} names one
 *       ({@code postgresql://host:port/db}, with {@code BATON_TEST_PG_USER} and
 *       {@code BATON_TEST_PG_PASSWORD}).</li>
 *   <li>Kafka: in-process KRaft unless {@code BATON_TEST_KAFKA_BOOTSTRAP} names a broker.</li>
 * </ul>
 *
 * The servers are started once per test JVM and shared by every test class of the module
 * (each service keeps to its own schema and consumer group), and stopped when the JVM exits.
 */
public class BatonTestResource implements QuarkusTestResourceLifecycleManager {

    private static Servers servers;

    @Override
    public Map<String, String> start() {
        Servers s = servers();
        Map<String, String> config = new HashMap<>();
        config.put("baton.pg.url", s.pgUrl);
        config.put("baton.pg.user", s.pgUser);
        config.put("baton.pg.password", s.pgPassword);
        config.put("kafka.bootstrap.servers", s.kafkaBootstrap);
        return config;
    }

    @Override
    public void stop() {
        // Shared across test classes of this JVM; a shutdown hook stops them.
    }

    /**
     * The addresses the tests run against. Quarkus loads this class once per test profile (a new
     * class loader each time), so the addresses live in JVM-wide system properties: every profile
     * of the test JVM shares one PostgreSQL and one broker, stopped once, in order, at exit.
     */
    public static synchronized Servers servers() {
        if (servers == null) {
            synchronized (System.class) {
                String known = System.getProperty(SHARED);
                servers = known != null ? Servers.decode(known) : Servers.start();
                System.setProperty(SHARED, servers.encode());
            }
        }
        return servers;
    }

    static final String SHARED = "baton.test.servers";

    /** Where the real servers are. {@code jdbcUrl()} is for plain JDBC from a test. */
    public record Servers(String pgUrl, String pgUser, String pgPassword, String kafkaBootstrap) {

        public String jdbcUrl() {
            return "jdbc:" + pgUrl;
        }

        String encode() {
            return String.join("\n", pgUrl, pgUser, pgPassword, kafkaBootstrap);
        }

        static Servers decode(String text) {
            String[] parts = text.split("\n", -1);
            return new Servers(parts[0], parts[1], parts[2], parts[3]);
        }

        static Servers start() {
            try {
                String pgUrl = System.getenv("BATON_TEST_PG_URL");
                String user = env("BATON_TEST_PG_USER", "postgres");
                String password = env("BATON_TEST_PG_PASSWORD", "postgres");
                EmbeddedPostgresServer pg = null;
                EmbeddedKafkaBroker broker = null;
                if (pgUrl == null || pgUrl.isBlank()) {
                    pg = EmbeddedPostgresServer.start(0, null);
                    pgUrl = pg.url();
                    user = EmbeddedPostgresServer.USER;
                    password = EmbeddedPostgresServer.PASSWORD;
                }
                String kafka = System.getenv("BATON_TEST_KAFKA_BOOTSTRAP");
                if (kafka == null || kafka.isBlank()) {
                    broker = EmbeddedKafkaBroker.start();
                    kafka = broker.bootstrapServers();
                } else {
                    EmbeddedKafkaBroker.createTopics(kafka, dev.baton.events.Topics.ALL);
                }
                // One hook, in order: the broker first (its clients are gone by then), then PostgreSQL.
                EmbeddedKafkaBroker startedBroker = broker;
                EmbeddedPostgresServer startedPg = pg;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    closeQuietly(startedBroker);
                    closeQuietly(startedPg);
                }, "baton-test-servers-stop"));
                return new Servers(pgUrl, user, password, kafka);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the test PostgreSQL/Kafka: " + e.getMessage(), e);
            }
        }

        private static String env(String name, String fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : value;
        }

        private static void closeQuietly(AutoCloseable closeable) {
            if (closeable == null) {
                return;
            }
            try {
                closeable.close();
            } catch (Exception ignored) {
                // the JVM is exiting; the child process dies with it
            }
        }
    }
}
