package dev.baton.gateway.webhook;

import org.jboss.logging.MDC;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.baton.common.tracing.BatonSpans;
import dev.baton.events.EventEnvelope;
import dev.baton.gateway.config.GatewayConfig;
import dev.baton.gateway.config.GiteaConfig;
import dev.baton.gateway.config.PlaneConfig;
import dev.baton.gateway.messaging.InboundPublisher;
import io.opentelemetry.api.trace.Span;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

/**
 * Receives one webhook delivery:
 *
 * <ol>
 *   <li>Size: a body over {@code baton.gateway.max-body-bytes} → 413.</li>
 *   <li>Signature: HMAC-SHA256 of the raw bytes, before anything parses them → 401 when absent, malformed,
 *       wrong, or when no secret is configured.</li>
 *   <li>Headers (Gitea): event name and delivery id → 400 when missing.</li>
 *   <li>Parse: one JSON object, nothing after it → 400 otherwise.</li>
 *   <li>Normalise: unused event → 202 ignored; no work item → 202 unmapped; Baton's own bot → 202
 *       dropped; else one inbound event.</li>
 *   <li>Publish to {@code baton.inbound} and answer 202 only once the broker acknowledged (acks=all);
 *       no acknowledgement within {@code baton.gateway.publish-timeout} → 503 (Plane retries).</li>
 * </ol>
 *
 * Nothing is published for a refused delivery. Secrets, signatures and bodies never reach the log.
 */
@ApplicationScoped
public class WebhookService {

    private static final Logger LOG = Logger.getLogger(WebhookService.class);

    private final GatewayConfig gateway;
    private final PlaneConfig plane;
    private final GiteaConfig gitea;
    private final InboundPublisher publisher;
    private final WebhookMetrics metrics;
    private final ObjectReader reader;
    private final PlaneNormalizer planeNormalizer;
    private final GiteaNormalizer giteaNormalizer;

    public WebhookService(GatewayConfig gateway, PlaneConfig plane, GiteaConfig gitea, ObjectMapper json,
                          InboundPublisher publisher, WebhookMetrics metrics) {
        this.gateway = gateway;
        this.plane = plane;
        this.gitea = gitea;
        this.publisher = publisher;
        this.metrics = metrics;
        // "{...} trailing" is not one JSON document: refuse it instead of reading the first value.
        this.reader = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        Clock clock = Clock.systemUTC();
        this.planeNormalizer = new PlaneNormalizer(json, gateway.botUser(), clock);
        this.giteaNormalizer = new GiteaNormalizer(json, new WorkItemRule(gateway.workItemPattern()),
                gateway.botUser(), clock);
    }

    void warnWhenRefusingEverything(@Observes StartupEvent start) {
        if (plane.webhookSecret().filter(s -> !s.isBlank()).isEmpty()) {
            LOG.warn("BATON_PLANE_WEBHOOK_SECRET is not set: every Plane webhook is refused with 401");
        }
        if (gitea.webhookSecret().filter(s -> !s.isBlank()).isEmpty()) {
            LOG.warn("BATON_GITEA_WEBHOOK_SECRET is not set: every Gitea webhook is refused with 401");
        }
    }

    public Uni<Receipt> receivePlane(byte[] body, String signature, String deliveryId) {
        Normalized outcome;
        try {
            checkSize(body);
            verify(WebhookSource.PLANE, plane.webhookSecret(), body, signature, "X-Plane-Signature");
            outcome = planeNormalizer.normalize(parse(body), deliveryId);
        } catch (WebhookRejected e) {
            return reject(WebhookSource.PLANE, e);
        }
        return settle(WebhookSource.PLANE, outcome);
    }

    /**
     * Gitea signs twice with the same secret: {@code X-Gitea-Signature} (bare hex) and, for GitHub
     * compatibility, {@code X-Hub-Signature-256: sha256=<hex>}. The first present one is checked.
     */
    public Uni<Receipt> receiveGitea(byte[] body, String giteaSignature, String hubSignature, String event,
                                     String eventType, String deliveryId) {
        Normalized outcome;
        try {
            checkSize(body);
            if (giteaSignature != null && !giteaSignature.isBlank()) {
                verify(WebhookSource.GITEA, gitea.webhookSecret(), body, giteaSignature, "X-Gitea-Signature");
            } else {
                String hex = hubSignature == null ? null
                        : hubSignature.startsWith("sha256=") ? hubSignature.substring("sha256=".length()) : "-";
                verify(WebhookSource.GITEA, gitea.webhookSecret(), body, hex, "X-Gitea-Signature / X-Hub-Signature-256");
            }
            String eventName = eventType != null && !eventType.isBlank() ? eventType.trim()
                    : event != null && !event.isBlank() ? event.trim() : null;
            if (eventName == null) {
                throw WebhookRejected.badRequest("missing-header", "X-Gitea-Event-Type or X-Gitea-Event is missing");
            }
            if (deliveryId == null || deliveryId.isBlank()) {
                throw WebhookRejected.badRequest("missing-header", "X-Gitea-Delivery is missing");
            }
            outcome = giteaNormalizer.normalize(eventName, deliveryId.trim(), parse(body));
        } catch (WebhookRejected e) {
            return reject(WebhookSource.GITEA, e);
        }
        return settle(WebhookSource.GITEA, outcome);
    }

    private void checkSize(byte[] body) {
        if (body.length > gateway.maxBodyBytes()) {
            throw WebhookRejected.tooLarge(gateway.maxBodyBytes());
        }
    }

    private static void verify(WebhookSource source, Optional<String> secret, byte[] body, String signature,
                               String header) {
        switch (SignatureVerifier.verifyHex(secret, body, signature)) {
            case VALID -> {
            }
            case NO_SECRET -> throw WebhookRejected.unauthorized("no-secret", "no " + source.tag()
                    + " webhook secret is configured (BATON_" + source.name() + "_WEBHOOK_SECRET): every delivery is refused");
            case MISSING -> throw WebhookRejected.unauthorized("signature-missing", header + " is missing or empty");
            case MALFORMED -> throw WebhookRejected.unauthorized("signature-malformed",
                    header + " is not a hex HMAC-SHA256");
            case MISMATCH -> throw WebhookRejected.unauthorized("signature-mismatch",
                    header + " does not match the body");
        }
    }

    private JsonNode parse(byte[] body) {
        JsonNode root;
        try {
            root = reader.readTree(body);
        } catch (IOException e) {
            throw WebhookRejected.badRequest("malformed-json", "body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw WebhookRejected.badRequest("malformed-json", "body is not a JSON object");
        }
        return root;
    }

    private Uni<Receipt> reject(WebhookSource source, WebhookRejected e) {
        metrics.count(source, "rejected", e.reason());
        LOG.debugf("%s webhook refused with %d (%s)", source.tag(), e.status(), e.reason());
        return Uni.createFrom().failure(e);
    }

    private Uni<Receipt> settle(WebhookSource source, Normalized outcome) {
        if (outcome instanceof Normalized.Publish publish) {
            return publish(source, publish.event());
        }
        if (outcome instanceof Normalized.Ignored ignored) {
            return accepted(source, "ignored", ignored.reason());
        }
        if (outcome instanceof Normalized.Unmapped unmapped) {
            return accepted(source, "unmapped", unmapped.reason());
        }
        return accepted(source, "bot", "own-change");
    }

    private Uni<Receipt> accepted(WebhookSource source, String outcome, String reason) {
        metrics.count(source, outcome, reason);
        return Uni.createFrom().item(new Receipt(outcome, reason, null, null, null));
    }

    private Uni<Receipt> publish(WebhookSource source, EventEnvelope event) {
        // The request's own context: every later line of this request names the work item, and so
        // does its span (what a trace is searched by).
        MDC.put("workItem", event.aggregateId());
        Span.current().setAttribute(BatonSpans.WORK_ITEM, event.aggregateId());
        return publisher.publish(event)
                .ifNoItem().after(gateway.publishTimeout()).fail()
                .onItem().transform(done -> {
                    metrics.count(source, "published", event.eventType());
                    LOG.debugf("published %s %s for %s", event.eventType(), event.eventId(), event.aggregateId());
                    return new Receipt("published", event.eventType(), event.eventId(), event.eventType(),
                            event.aggregateId());
                })
                .onFailure().transform(failure -> {
                    metrics.count(source, "failed", failure instanceof TimeoutException ? "publish-timeout" : "publish");
                    LOG.warnf("could not publish %s %s for %s: %s", event.eventType(), event.eventId(),
                            event.aggregateId(), failure.toString());
                    return new WebhookRejected(503, "Service Unavailable", "publish",
                            "the event could not be stored on Kafka in time; retry the delivery");
                });
    }
}
