package dev.baton.gateway.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Payload of the Plane inbound events. Absent facts are left out of the JSON.
 *
 * @param workItemId Plane's UUID of the work item
 * @param workItemKey {@code PROJECT-sequence} when the payload carries both parts
 * @param generation {@code v1} or {@code v2}, the Plane webhook generation that delivered it
 * @param webhookEvent Plane's own event/action name, e.g. {@code workitem.updated} or {@code issue/update}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlaneWorkItemFacts(
        String workItemId,
        String workItemKey,
        Integer sequenceId,
        String projectId,
        String projectIdentifier,
        String name,
        String stateId,
        String stateName,
        String stateGroup,
        String previousStateId,
        String previousStateName,
        String previousStateGroup,
        String actorId,
        String actorName,
        String generation,
        String webhookEvent,
        String deliveryId) {
}
