package dev.baton.events;

/**
 * The {@code eventType}s the gateway publishes on {@code baton.inbound}, all past tense. The consumer
 * (stage-service) switches on these names, so they are part of the event contract.
 */
public final class InboundEventType {

    public static final String PLANE_WORK_ITEM_CREATED = "PlaneWorkItemCreated";
    public static final String PLANE_STATE_CHANGED = "PlaneStateChanged";
    public static final String PLANE_WORK_ITEM_DELETED = "PlaneWorkItemDeleted";

    public static final String GITEA_PR_OPENED = "GiteaPrOpened";
    public static final String GITEA_PR_REOPENED = "GiteaPrReopened";
    public static final String GITEA_PR_MERGED = "GiteaPrMerged";
    public static final String GITEA_PR_CLOSED = "GiteaPrClosed";
    public static final String GITEA_PR_SYNCHRONIZED = "GiteaPrSynchronized";
    public static final String GITEA_PR_REVIEWED = "GiteaPrReviewed";
    public static final String GITEA_PUSHED = "GiteaPushed";
    public static final String GITEA_STATUS_REPORTED = "GiteaStatusReported";
    public static final String GITEA_WORKFLOW_RUN_COMPLETED = "GiteaWorkflowRunCompleted";

    /** The aggregate every inbound event is about: a work item, keyed by its Plane key. */
    public static final String AGGREGATE_TYPE = "task";

    private InboundEventType() {
    }
}
