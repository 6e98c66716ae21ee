package dev.baton.reaper.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A running job as {@code GET /jobs?status=running} shows it; ages come from PostgreSQL's clock.
 *
 * @param taskStage the task's stage now (differs from {@code stage} once the task moved on)
 * @param runnerRestarted the job's runner registered again with a new boot id since it picked the job
 * @param finishedAgeS seconds since the exit code was recorded, or null without one
 * @param lease the task's transition lease, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunningJob(long id, String taskId, String stage, String taskStage, String runnerId, String runnerBootId,
                         String runnerCurrentBootId, boolean runnerRestarted, long ageS, Integer exitCode,
                         boolean exitRecorded, Long finishedAgeS, Lease lease) {

    /** The task's transition lease and whether its owner process is live. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Lease(long token, String ownerActor, String ownerInstance, String from, String to, boolean live) {
    }

    public boolean taskAdvanced() {
        return taskStage != null && !taskStage.equals(stage);
    }
}
