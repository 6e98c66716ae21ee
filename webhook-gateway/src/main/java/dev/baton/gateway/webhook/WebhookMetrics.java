package dev.baton.gateway.webhook;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * One counter, {@code baton.gateway.webhooks{source, outcome, reason}}: outcome is {@code published},
 * {@code ignored}, {@code unmapped}, {@code bot}, {@code rejected} or {@code failed}; reason is the
 * event type published or a fixed word, never text from the request, so tags stay few and secret-free.
 */
@ApplicationScoped
public class WebhookMetrics {

    public static final String NAME = "baton.gateway.webhooks";

    private final MeterRegistry registry;

    public WebhookMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void count(WebhookSource source, String outcome, String reason) {
        registry.counter(NAME, "source", source.tag(), "outcome", outcome, "reason", reason).increment();
    }
}
