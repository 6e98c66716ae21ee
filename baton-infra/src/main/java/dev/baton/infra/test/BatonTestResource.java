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

    /** The addresses the tests run against, for tests that talk to the servers directly. */
    public static synchronized Servers servers() {
        if (servers == null) {
            servers = Servers.start();
        }
        return servers;
    }

    /** Where the real servers are. {@code jdbcUrl()} is for plain JDBC from a test. */
    public record Servers(String pgUrl, String pgUser, String pgPassword, String kafkaBootstrap) {

        public String jdbcUrl() {
            return "jdbc:" + pgUrl;
        }

        static Servers start() {
            try {
                String pgUrl = System.getenv("BATON_TEST_PG_URL");
                String user = env("BATON_TEST_PG_USER", "postgres");
                String password = env("BATON_TEST_PG_PASSWORD", "postgres");
                if (pgUrl == null || pgUrl.isBlank()) {
                    EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(0, null);
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(pg)));
                    pgUrl = pg.url();
                    user = EmbeddedPostgresServer.USER;
                    password = EmbeddedPostgresServer.PASSWORD;
                }
                String kafka = System.getenv("BATON_TEST_KAFKA_BOOTSTRAP");
                if (kafka == null || kafka.isBlank()) {
                    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(broker)));
                    kafka = broker.bootstrapServers();
                } else {
                    EmbeddedKafkaBroker.createTopics(kafka, dev.baton.events.Topics.ALL);
                }
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
            try {
                closeable.close();
            } catch (Exception ignored) {
                // the JVM is exiting; the child process dies with it
            }
        }
    }
}
