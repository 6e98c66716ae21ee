package dev.baton.common.tracing;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.StreamSupport;

import org.eclipse.microprofile.config.spi.ConfigSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TracingConfigSourceTest {

    @Test
    void withoutAnEndpointTheSdkIsDisabledAndNothingIsExported() {
        TracingConfigSource source = new TracingConfigSource(null);
        assertEquals(Map.of("quarkus.otel.sdk.disabled", "true"), source.getProperties());
        assertEquals(null, source.getValue("quarkus.otel.exporter.otlp.endpoint"));
    }

    @Test
    void aBlankEndpointCountsAsUnset() {
        assertEquals("true", new TracingConfigSource("  ").getValue("quarkus.otel.sdk.disabled"));
    }

    /**
     * "On" is said, not left out: the build runs without the variable and Quarkus keeps what the
     * build saw as the run's default, so a missing value would leave the SDK disabled (found by
     * exporting the local stack's traces: nothing arrived until the source said false).
     */
    @Test
    void anEndpointBecomesTheOtlpEndpointAndTurnsTheSdkOn() {
        TracingConfigSource source = new TracingConfigSource(" http://otel-collector:4317 ");
        assertEquals(Map.of("quarkus.otel.exporter.otlp.endpoint", "http://otel-collector:4317",
                "quarkus.otel.sdk.disabled", "false"), source.getProperties());
    }

    @Test
    void itRanksBelowApplicationPropertiesAndTheEnvironment() {
        assertEquals(200, new TracingConfigSource(null).getOrdinal());
    }

    @Test
    void everyServiceFindsItThroughTheServiceLoader() {
        assertTrue(StreamSupport.stream(ServiceLoader.load(ConfigSource.class).spliterator(), false)
                .anyMatch(TracingConfigSource.class::isInstance));
    }
}
