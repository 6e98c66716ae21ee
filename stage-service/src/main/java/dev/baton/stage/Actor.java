package dev.baton.stage;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Optional;

/** The actors that may enter a transition. */
public enum Actor {
    MONITOR("monitor"),
    PLANE_WEBHOOK("plane-webhook"),
    GITEA_WEBHOOK("gitea-webhook"),
    RECONCILER("reconciler"),
    REAPER("reaper"),
    DEPLOY_FINALIZER("deploy-finalizer"),
    OPERATOR("operator");

    private final String key;

    Actor(String key) {
        this.key = key;
    }

    @JsonValue
    public String key() {
        return key;
    }

    public static Optional<Actor> fromKey(String key) {
        return Arrays.stream(values()).filter(a -> a.key.equals(key)).findFirst();
    }

    public static String keys() {
        return String.join(", ", Arrays.stream(values()).map(Actor::key).toList());
    }
}
