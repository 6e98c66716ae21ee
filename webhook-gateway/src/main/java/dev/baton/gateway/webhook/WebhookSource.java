package dev.baton.gateway.webhook;

/** Who sent a webhook; also the {@code source} tag of the gateway's counters. */
public enum WebhookSource {
    PLANE, GITEA;

    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
