package dev.baton.gateway.config;

import dev.baton.common.config.DurationRange;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;

/** What the gateway accepts and how it maps webhooks to work items. */
@ConfigMapping(prefix = "baton.gateway")
public interface GatewayConfig {

    /** Largest webhook body accepted, in bytes ({@code BATON_GATEWAY_MAX_BODY_BYTES}); larger bodies get 413. */
    @WithDefault("1048576")
    @Min(1024)
    @Max(67108864)
    int maxBodyBytes();

    /**
     * Tracker user Baton acts as ({@code BATON_GATEWAY_BOT_USER}): a Plane actor id, display name or
     * e-mail, or a Gitea sender login. Its own changes coming back as webhooks are dropped, so Baton
     * never feeds on itself.
     */
    @WithDefault("baton-bot")
    String botUser();

    /**
     * How a Gitea event names its work item ({@code BATON_GATEWAY_WORK_ITEM_PATTERN}): a regex searched
     * in the branch name, then the title (or commit message). A named group {@code key} picks part of
     * the match; the result is upper-cased.
     */
    @WithDefault("[A-Z][A-Z0-9]+-\\d+")
    String workItemPattern();

    /**
     * Longest wait for the broker's acknowledgement before answering 503 ({@code BATON_GATEWAY_PUBLISH_TIMEOUT}).
     * Gitea gives up after 5 s and never retries, so this stays under that.
     */
    @WithDefault("4s")
    @DurationRange(min = "100ms", max = "4900ms")
    Duration publishTimeout();
}
