package dev.baton.reaper.client;

import java.time.Duration;

/**
 * What one Plane read established.
 *
 * @param stateId the work item's state id ({@code FOUND} only)
 * @param stateName the state's name, if Plane expanded it (for people reading alerts)
 * @param retryAfter how long Plane asked us to wait ({@code THROTTLED} only)
 * @param detail Plane's error, or why there was no answer
 */
public record PlaneRead(Kind kind, String stateId, String stateName, Duration retryAfter, String detail) {

    /** How the read ended. */
    public enum Kind {
        /** 200 with a state. */
        FOUND,
        /** 404: Plane has no such work item (deleted, or the ids are wrong). */
        GONE,
        /** 429: Plane's rate limit; stop reading until {@code retryAfter} has passed. */
        THROTTLED,
        /** 5xx, no answer in time, or an unreadable answer: read again next sweep. */
        FAILED
    }

    /** The state's name if known, else its id. */
    public String stateLabel() {
        return stateName == null || stateName.isBlank() ? stateId : stateName;
    }

    static PlaneRead failed(String detail) {
        return new PlaneRead(Kind.FAILED, null, null, null, detail);
    }
}
