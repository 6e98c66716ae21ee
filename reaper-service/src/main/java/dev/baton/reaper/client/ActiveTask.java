package dev.baton.reaper.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * {@code GET /tasks?active=true}: a task outside the terminal stages.
 *
 * @param planeSync status of the task's newest Plane sync ({@code pending}, {@code done},
 *                  {@code failed}), null if it never had one
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ActiveTask(String id, String stage, String planeProject, String planeIssue, String planeSync) {

    /** The task mirrors a Plane work item. */
    public boolean inPlane() {
        return planeProject != null && !planeProject.isBlank() && planeIssue != null && !planeIssue.isBlank();
    }

    /**
     * stage-service has yet to move Plane to the task's stage (or gave up): Plane's state is known
     * to be behind, so it says nothing about drift.
     */
    public boolean planeBehind() {
        return "pending".equals(planeSync) || "failed".equals(planeSync);
    }
}
