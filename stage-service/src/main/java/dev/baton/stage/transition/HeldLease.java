package dev.baton.stage.transition;

import dev.baton.stage.Task;
import dev.baton.stage.gate.TaskFacts;

/**
 * A lease this process holds: drive {@code change} from the task's {@code version} under
 * {@code token}. {@code redrive}: the lease was a dead owner's. {@code entered}: the enter
 * statement already dealt with the first effect's ledger row ({@code effectStatus} null: it
 * recorded it started under {@code token}; else the earlier attempt's status and token).
 */
record HeldLease(Task task, TransitionRepository.Change change, long token, boolean redrive, TaskFacts facts,
                 boolean entered, String effectStatus, long effectToken) {

    long version() {
        return task.version();
    }
}
