package dev.baton.events;

import java.util.List;

/** Kafka topics of the Baton event contract. Every record is keyed by work item id. */
public final class Topics {

    /** Normalised Plane and Gitea webhooks, published by webhook-gateway, consumed by stage-service. */
    public static final String INBOUND = "baton.inbound";
    /** Committed stage changes and job/agent-run facts, relayed from stage-service's outbox. */
    public static final String TRANSITIONS = "baton.transitions";
    /** Operator-facing alerts (lease reclaims, effects in doubt, reaps), relayed from the outbox. */
    public static final String ALERTS = "baton.alerts";

    /** Inbound events that can never apply (e.g. an unknown work item after retries), with the reason. */
    public static final String INBOUND_DLQ = "baton.inbound.dlq";

    /** Every topic Baton uses, for topic creation and deployment checks. */
    public static final List<String> ALL = List.of(INBOUND, TRANSITIONS, ALERTS, INBOUND_DLQ);

    private Topics() {
    }
}
