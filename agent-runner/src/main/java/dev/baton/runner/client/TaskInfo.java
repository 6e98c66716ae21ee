package dev.baton.runner.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The task a job works on, as {@code GET /tasks/{id}} shows it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TaskInfo(String id, String repo, String title, String stage, String planeProject, String planeIssue) {

    /** {@code GET /tasks/{id}} body: only the task part is read. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record View(TaskInfo task) {
    }
}
