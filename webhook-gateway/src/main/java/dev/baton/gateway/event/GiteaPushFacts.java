package dev.baton.gateway.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Payload of {@code GiteaPushed}. {@code after} is the new head SHA of {@code branch}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GiteaPushFacts(
        String repo,
        String ref,
        String branch,
        String before,
        String after,
        int commits,
        String sender,
        String deliveryId) {
}
