package dev.baton.stage.pipeline;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a stage change means; recorded in the history and named in the event type. */
public enum TransitionKind {
    ADVANCE("advance", "StageAdvanced"),
    ROLLBACK("rollback", "StageRolledBack"),
    CANCEL("cancel", "TaskCancelled");

    private final String key;
    private final String eventType;

    TransitionKind(String key, String eventType) {
        this.key = key;
        this.eventType = eventType;
    }

    @JsonValue
    public String key() {
        return key;
    }

    public String eventType() {
        return eventType;
    }

    public static TransitionKind fromKey(String key) {
        for (TransitionKind kind : values()) {
            if (kind.key.equals(key)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown transition kind '" + key + "' (advance, rollback or cancel)");
    }
}
