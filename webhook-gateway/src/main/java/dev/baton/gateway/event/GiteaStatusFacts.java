package dev.baton.gateway.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Payload of {@code GiteaStatusReported}: one commit status (CI check) on {@code sha}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GiteaStatusFacts(
        String repo,
        String sha,
        String state,
        String context,
        String targetUrl,
        String description,
        String sender,
        String deliveryId) {
}
