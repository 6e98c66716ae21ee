package dev.baton.gateway.config;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** Gitea's side of the webhook contract. */
@ConfigMapping(prefix = "baton.gitea")
public interface GiteaConfig {

    /**
     * HMAC-SHA256 secret of Gitea webhooks ({@code BATON_GITEA_WEBHOOK_SECRET}), the "Secret" field of
     * the Gitea webhook. Unset refuses every Gitea delivery with 401. Never logged.
     */
    Optional<String> webhookSecret();
}
