package dev.baton.stage.effect;

/** What the outside system says about an effect recorded as started. */
public enum Resolution {
    /** It happened: record it done, do not run it again. */
    HAPPENED,
    /** It certainly did not happen: safe to run now. */
    NOT_HAPPENED,
    /** Cannot be established: stays in doubt, alert, wait. */
    UNKNOWN
}
