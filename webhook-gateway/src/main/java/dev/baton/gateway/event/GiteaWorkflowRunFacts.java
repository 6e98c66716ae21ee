package dev.baton.gateway.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Payload of {@code GiteaWorkflowRunCompleted}: a finished Gitea Actions run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GiteaWorkflowRunFacts(
        String repo,
        long runId,
        String name,
        String status,
        String conclusion,
        String headBranch,
        String headSha,
        String url,
        String sender,
        String deliveryId) {
}
