package dev.baton.stage.plane;

import dev.baton.stage.pipeline.Transition;
import dev.baton.stage.transition.CommitParticipant;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Joins each committed transition with a {@code plane_sync} row (for tasks with Plane ids, only
 * while an API key is configured), written by the commit statement; {@link PlaneSyncWorker} drains it.
 */
@ApplicationScoped
public class PlaneSyncParticipant implements CommitParticipant {

    private final PlaneSyncWorker worker;

    public PlaneSyncParticipant(PlaneSyncWorker worker) {
        this.worker = worker;
    }

    @Override
    public Part join(Transition transition) {
        return worker.enabled() ? Part.PLANE_SYNC : null;
    }
}
