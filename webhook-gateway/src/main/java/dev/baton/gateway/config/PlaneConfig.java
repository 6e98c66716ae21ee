package dev.baton.gateway.config;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** Plane's side of the webhook contract. */
@ConfigMapping(prefix = "baton.plane")
public interface PlaneConfig {

    /**
     * HMAC-SHA256 secret of Plane webhooks ({@code BATON_PLANE_WEBHOOK_SECRET}), from the CSV Plane
     * offers when the webhook is created. Unset refuses every Plane delivery with 401. Never logged.
     */
    Optional<String> webhookSecret();
}
