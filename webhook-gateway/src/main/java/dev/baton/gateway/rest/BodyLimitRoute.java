package dev.baton.gateway.rest;

import dev.baton.gateway.config.GatewayConfig;
import dev.baton.gateway.webhook.WebhookMetrics;
import dev.baton.gateway.webhook.WebhookSource;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses an oversized webhook from its {@code Content-Length} alone, before a byte of the body is
 * read, with a problem+json 413. It runs just ahead of Quarkus' own limit
 * ({@code quarkus.http.limits.max-body-size}, set above ours), which would answer a bare 413.
 * A chunked body without a length is counted by the resource instead.
 */
@ApplicationScoped
public class BodyLimitRoute {

    private final GatewayConfig config;
    private final WebhookMetrics metrics;

    public BodyLimitRoute(GatewayConfig config, WebhookMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    void install(@Observes Router router) {
        int order = RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1;
        router.post("/webhooks/plane").order(order).handler(ctx -> check(ctx, WebhookSource.PLANE));
        router.post("/webhooks/gitea").order(order).handler(ctx -> check(ctx, WebhookSource.GITEA));
    }

    private void check(RoutingContext ctx, WebhookSource source) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && exceeds(length.trim())) {
            metrics.count(source, "rejected", "too-large");
            ctx.response().setStatusCode(413)
                    .putHeader(HttpHeaders.CONTENT_TYPE, Problems.PROBLEM_JSON)
                    // The body is not read, so the connection cannot be reused.
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(Problems.body(413, "Content Too Large",
                            "body is larger than " + config.maxBodyBytes() + " bytes", ctx.request().path()));
            return;
        }
        ctx.next();
    }

    private boolean exceeds(String length) {
        try {
            return Long.parseLong(length) > config.maxBodyBytes();
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
