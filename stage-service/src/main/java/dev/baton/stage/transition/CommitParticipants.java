package dev.baton.stage.transition;

import dev.baton.stage.pipeline.Transition;
import io.opentelemetry.context.Context;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Every {@link CommitParticipant}, asked once per change: the parts its commit statement writes. */
@ApplicationScoped
public class CommitParticipants {

    private final List<CommitParticipant> participants;

    public CommitParticipants(Instance<CommitParticipant> participants) {
        this.participants = participants.stream().toList();
    }

    /** The arguments a step that commits {@code transition} passes on to its rows, written under {@code trace}. */
    public TransitionRepository.Change change(Transition transition, String actor, String reason, String requestId,
                                              Context trace) {
        Set<CommitParticipant.Part> parts = EnumSet.noneOf(CommitParticipant.Part.class);
        for (CommitParticipant participant : participants) {
            CommitParticipant.Part part = participant.join(transition);
            if (part != null) {
                parts.add(part);
            }
        }
        return new TransitionRepository.Change(transition, actor, reason, requestId,
                parts.contains(CommitParticipant.Part.QUEUE_JOB), parts.contains(CommitParticipant.Part.PLANE_SYNC),
                trace);
    }
}
