package dev.baton.reaper.job;

import dev.baton.reaper.client.RunningJob;
import dev.baton.reaper.config.ReaperConfig;

/** Which rule, if any, makes a running job due for reaping. Tier 3 wins over the others. */
public enum Tier {
    /** Not due: the job is working, or finalising within its grace. */
    NONE(0),
    /** No exit code, and the runner registered again with a new boot id: its agent is gone. */
    RUNNER_RESTARTED(1),
    /** An exit code stood for at least the finalize grace: the runner did not finalise. */
    FINALIZE_OVERDUE(2),
    /** Running longer than the ceiling, whatever the lease says. */
    MAX_RUNNING(3);

    private final int number;

    Tier(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /**
     * Decided from the ages stage-service computed with PostgreSQL's clock, so replicas and
     * stage-service agree on them whatever the reaper hosts' clocks say.
     */
    public static Tier of(RunningJob job, ReaperConfig config) {
        if (job.ageS() > config.maxRunning().toSeconds()) {
            return MAX_RUNNING;
        }
        if (!job.exitRecorded() && job.runnerRestarted()) {
            return RUNNER_RESTARTED;
        }
        // Never earlier than the grace: a runner still finalising (push, PR, comment) is left alone.
        if (job.exitRecorded() && job.finishedAgeS() != null
                && job.finishedAgeS() >= config.finalizeGrace().toSeconds()) {
            return FINALIZE_OVERDUE;
        }
        return NONE;
    }
}
