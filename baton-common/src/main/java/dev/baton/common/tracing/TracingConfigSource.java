package dev.baton.common.tracing;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Map;
import java.util.Set;

/**
 * Turns tracing on with one variable: {@code BATON_OTEL_ENDPOINT} (an OTLP collector, e.g.
 * {@code http://otel-collector:4317}) becomes {@code quarkus.otel.exporter.otlp.endpoint}; without it
 * the OpenTelemetry SDK is disabled ({@code quarkus.otel.sdk.disabled=true}, a run-time setting), so
 * the default costs no exporter, no batch queue and no recorded span.
 *
 * <p>A config source rather than an {@code application.properties} line because "disabled unless
 * set" cannot be written as a property expression. Ordinal 200: below {@code application.properties}
 * (250, where a test profile turns the SDK on to capture spans) and below the environment (300), so
 * an explicit {@code QUARKUS_OTEL_*} variable still wins.
 */
public class TracingConfigSource implements ConfigSource {

    /** The one switch, an OTLP endpoint URL. */
    public static final String ENDPOINT_VARIABLE = "BATON_OTEL_ENDPOINT";
    static final String ENDPOINT = "quarkus.otel.exporter.otlp.endpoint";
    static final String SDK_DISABLED = "quarkus.otel.sdk.disabled";
    static final int ORDINAL = 200;

    private final Map<String, String> properties;

    public TracingConfigSource() {
        this(System.getenv("BATON_OTEL_ENDPOINT"));
    }

    /** @param endpoint the value of {@value #ENDPOINT_VARIABLE}, null when unset */
    TracingConfigSource(String endpoint) {
        // Both ways explicitly: the build runs without the variable, and Quarkus keeps the values a
        // build saw as the run's defaults, so "disabled" would outlive an endpoint set at run time.
        this.properties = endpoint == null || endpoint.isBlank()
                ? Map.of(SDK_DISABLED, "true")
                : Map.of(ENDPOINT, endpoint.strip(), SDK_DISABLED, "false");
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "baton-tracing (" + ENDPOINT_VARIABLE + ")";
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
