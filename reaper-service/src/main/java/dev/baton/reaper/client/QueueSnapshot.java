package dev.baton.reaper.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Map;

/** {@code GET /queue}: tasks per stage, open jobs and the transition leases. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record QueueSnapshot(Map<String, Long> stages, List<Job> jobs, List<LeaseView> transitionLease) {

    /** An open (queued or running) job. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Job(long id, String taskId, String stage, String status) {
    }

    /** A lease as operators read it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LeaseView(String workItem, String ownerActor, String ownerInstance, String from, String to,
                            long token, boolean live) {
    }

    /** Task ids with an open job of {@code stage}, in job order, without duplicates. */
    public List<String> tasksIn(String stage) {
        return jobs == null ? List.of() : jobs.stream().filter(j -> stage.equals(j.stage()))
                .map(Job::taskId).distinct().toList();
    }

    /** The work item's live lease, if one is held by a live owner. */
    public java.util.Optional<LeaseView> liveLease(String workItem) {
        return transitionLease == null ? java.util.Optional.empty() : transitionLease.stream()
                .filter(l -> workItem.equals(l.workItem()) && l.live()).findFirst();
    }
}
