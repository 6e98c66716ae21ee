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

    /**
     * {@code -Dbaton.bench.tracing=true}: the OpenTelemetry SDK on, every span recorded (the tests'
     * in-memory processor, no exporter). Off by default, as a service runs without
     * {@code BATON_OTEL_ENDPOINT} (the test profile of every other test turns it on).
     */
    static final boolean TRACING = Boolean.getBoolean("baton.bench.tracing");

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.datasource.jdbc.max-size", String.valueOf(POOL_SIZE),
                "quarkus.datasource.reactive.max-size", String.valueOf(POOL_SIZE),
                "quarkus.otel.sdk.disabled", String.valueOf(!TRACING));
    }
}
