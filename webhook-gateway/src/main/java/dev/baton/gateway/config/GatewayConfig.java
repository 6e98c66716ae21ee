package dev.baton.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** What the gateway accepts and how it recognises genuine webhooks. */
@ConfigMapping(prefix = "baton.gateway")
public interface GatewayConfig {

    /** Largest webhook body accepted, in bytes ({@code BATON_GATEWAY_MAX_BODY_BYTES}). */
    @WithDefault("1048576")
    int maxBodyBytes();

    /** HMAC secret of Plane webhooks ({@code BATON_GATEWAY_PLANE_WEBHOOK_SECRET}); unset refuses them. Never logged. */
    Optional<String> planeWebhookSecret();

    /** HMAC secret of Gitea webhooks ({@code BATON_GATEWAY_GITEA_WEBHOOK_SECRET}); unset refuses them. Never logged. */
    Optional<String> giteaWebhookSecret();

    /** Tracker user Baton acts as; its own changes coming back as webhooks are not fed in again. */
    @WithDefault("baton-bot")
    String botUser();
}
