package dev.baton.stage.bench;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * The benchmark's application: the test pipeline (its {@code created -> analysis} has no effect
 * and no gate, its {@code development -> review} carries the counting probe), and a JDBC pool as
 * large as the reactive one, so the floor (a) and ShedLock (b) get as many connections as
 * Baton's own path (c).
 */
public class BenchProfile implements QuarkusTestProfile {

    /** Connections of each pool: the reactive pool's size in application.properties. */
    static final int POOL_SIZE = 20;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.datasource.jdbc.max-size", String.valueOf(POOL_SIZE),
                "quarkus.datasource.reactive.max-size", String.valueOf(POOL_SIZE));
    }
}
