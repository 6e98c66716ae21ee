package dev.baton.reaper.config;

import jakarta.inject.Singleton;

import java.util.Optional;
import java.util.UUID;

/**
 * This replica's name in sweep claims and request ids: {@code BATON_REAPER_INSTANCE}, or the
 * host (pod) name plus a suffix fresh per process start, so a restarted replica is a new holder.
 */
@Singleton
public class ReplicaName {

    private final String name;

    public ReplicaName(ReaperConfig config) {
        this.name = config.instance().filter(n -> !n.isBlank()).orElseGet(() ->
                Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).orElse("reaper")
                        + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    public String name() {
        return name;
    }
}
