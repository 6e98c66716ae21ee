package dev.baton.reaper.client;

/** {@code POST /sweeps/{name}/claim}: whose turn this interval's sweep is. */
public enum SweepTurn {
    /** This replica sweeps now. */
    GRANTED,
    /** Another replica swept within the interval. */
    TAKEN,
    /** stage-service has no sweep endpoint (an older version): sweep anyway, the job claims keep it safe. */
    UNSUPPORTED,
    /** No usable answer: skip this sweep. */
    UNANSWERED
}
