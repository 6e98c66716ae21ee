package dev.baton.gateway.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Payload of the {@code GiteaPr*} inbound events. {@code reviewType} only on {@code GiteaPrReviewed}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GiteaPullRequestFacts(
        String repo,
        long prNumber,
        String prUrl,
        String title,
        String headBranch,
        String headSha,
        String baseBranch,
        boolean merged,
        String mergeCommitSha,
        String reviewType,
        String sender,
        String deliveryId) {
}
