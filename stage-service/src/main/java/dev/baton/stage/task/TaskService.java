package dev.baton.stage.task;

import dev.baton.stage.Actor;
import dev.baton.stage.Task;
import dev.baton.stage.messaging.OutboxRelay;
import dev.baton.stage.messaging.OutboxRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** Creating a task: the row, its first history row and {@code TaskCreated}, in one transaction. */
@ApplicationScoped
public class TaskService {

    private final Pool pool;
    private final TaskRepository tasks;
    private final OutboxRepository outbox;
    private final OutboxRelay relay;

    public TaskService(Pool pool, TaskRepository tasks, OutboxRepository outbox, OutboxRelay relay) {
        this.pool = pool;
        this.tasks = tasks;
        this.outbox = outbox;
        this.relay = relay;
    }

    /** @return the new task, or empty if one with this id exists (nothing written then) */
    public Uni<Optional<Task>> create(String id, String repo, String title, String stage, String planeProject,
                                      String planeIssue, Actor actor) {
        return pool.withTransaction(connection -> tasks.insert(connection, id, repo, title, stage, planeProject,
                planeIssue).flatMap(created -> created.isEmpty() ? Uni.createFrom().item(created)
                : tasks.insertHistory(connection, id, null, stage, actor.key(), "created", "created", null, true, null)
                        .flatMap(v -> outbox.transition(connection, id, "TaskCreated", new JsonObject()
                                .put("taskId", id).put("repo", repo).put("title", title).put("stage", stage)))
                        .replaceWith(created)))
                .invoke(created -> created.ifPresent(t -> relay.wake()));
    }
}
