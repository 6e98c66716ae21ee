package dev.baton.stage.transition;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.stage.gate.GateReport;
import dev.baton.stage.lease.Lease;

import java.time.Instant;

/** The answer to a transition request; {@code outcome} is always there. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TransitionResult(Outcome outcome, String task, String from, String to, String stage, Long version,
                               Long token, Owner owner, String detail, GateReport gates) {

    /** The live owner a deferred request waits for. */
    public record Owner(String actor, String instance, long pid, String host, Instant since, String from, String to) {

        static Owner of(Lease lease) {
            return new Owner(lease.ownerActor(), lease.ownerInstance().toString(), lease.ownerPid(), lease.ownerHost(),
                    lease.acquiredAt(), lease.from(), lease.to());
        }
    }

    static TransitionResult of(Outcome outcome, TransitionRequest request, String stage, String detail) {
        return new TransitionResult(outcome, request.taskId(), request.from(), request.to(), stage, null, null, null,
                detail, null);
    }

}
