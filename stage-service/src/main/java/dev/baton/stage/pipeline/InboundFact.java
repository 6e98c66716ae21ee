package dev.baton.stage.pipeline;

import dev.baton.events.InboundEventType;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The inbound facts a stage's {@code on} may react to: pull request events from Gitea. Each is
 * recorded whatever the stage; a stage whose {@code on} names it also moves the task.
 */
public enum InboundFact {
    GITEA_PR_OPENED(InboundEventType.GITEA_PR_OPENED),
    GITEA_PR_REOPENED(InboundEventType.GITEA_PR_REOPENED),
    GITEA_PR_SYNCHRONIZED(InboundEventType.GITEA_PR_SYNCHRONIZED),
    GITEA_PR_CLOSED(InboundEventType.GITEA_PR_CLOSED),
    GITEA_PR_MERGED(InboundEventType.GITEA_PR_MERGED);

    private final String eventType;

    InboundFact(String eventType) {
        this.eventType = eventType;
    }

    /** The name in the definition: the event type with a lower-case first letter ({@code giteaPrMerged}). */
    public String key() {
        return Character.toLowerCase(eventType.charAt(0)) + eventType.substring(1);
    }

    public static Optional<InboundFact> ofEventType(String eventType) {
        return Arrays.stream(values()).filter(f -> f.eventType.equals(eventType)).findFirst();
    }

    public static List<String> keys() {
        return Arrays.stream(values()).map(InboundFact::key).toList();
    }
}
