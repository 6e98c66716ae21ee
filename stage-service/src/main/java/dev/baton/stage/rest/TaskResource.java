package dev.baton.stage.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.stage.Actor;
import dev.baton.stage.ProblemException;
import dev.baton.stage.Task;
import dev.baton.stage.effect.EffectLedger;
import dev.baton.stage.pipeline.PipelineDefinition;
import dev.baton.stage.pipeline.Stage;
import dev.baton.stage.task.TaskService;
import dev.baton.stage.task.TaskRepository;
import dev.baton.stage.transition.TransitionRequest;
import dev.baton.stage.transition.TransitionResult;
import dev.baton.stage.transition.TransitionService;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;
import java.util.regex.Pattern;

/** Tasks (work items) and their transitions. */
@Path("/tasks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TaskResource {

    /** Work item keys such as {@code ORCH-114}. */
    static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final int MAX_TEXT = 2000;

    /** {@code POST /tasks} body. */
    public record CreateTask(String id, String repo, String title, String stage, String planeProject,
                             String planeIssue) {
    }

    /** {@code POST /tasks/{id}/transitions} body. */
    public record TransitionBody(String from, String to, String actor, String reason, String requestId) {
    }

    /** A task with its history and effect ledger. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TaskView(Task task, List<TaskRepository.HistoryEntry> history, List<EffectLedger.Entry> effects) {
    }

    private final Pool pool;
    private final TaskRepository tasks;
    private final TaskService taskService;
    private final TransitionService transitions;
    private final EffectLedger ledger;
    private final PipelineDefinition pipeline;

    public TaskResource(Pool pool, TaskRepository tasks, TaskService taskService, TransitionService transitions,
                        EffectLedger ledger, PipelineDefinition pipeline) {
        this.pool = pool;
        this.tasks = tasks;
        this.taskService = taskService;
        this.transitions = transitions;
        this.ledger = ledger;
        this.pipeline = pipeline;
    }

    @POST
    @Operation(summary = "Create a task {id, repo, title, stage?, planeProject?, planeIssue?} at the first stage "
            + "(or the given one); 409 if it exists")
    public Uni<Response> create(CreateTask body) {
        if (body == null) {
            throw ProblemException.badRequest("a JSON body {id, repo, title} is required");
        }
        String id = taskId(body.id());
        String repo = required("repo", body.repo());
        String title = required("title", body.title());
        String stage = body.stage() == null ? pipeline.initial().key() : body.stage();
        if (!pipeline.hasStage(stage)) {
            throw ProblemException.unprocessable("unknown stage '" + stage + "'");
        }
        String planeProject = optional("planeProject", body.planeProject());
        String planeIssue = optional("planeIssue", body.planeIssue());
        return taskService.create(id, repo, title, stage, planeProject, planeIssue, Actor.OPERATOR).map(created ->
                Response.status(201).entity(created.orElseThrow(() -> new ProblemException(409, "Conflict",
                        "task " + id + " exists"))).build());
    }

    @GET
    @Operation(summary = "The active tasks (not in a terminal stage) with their Plane ids and newest Plane sync "
            + "status, by id; ?active=true is required")
    public Uni<List<TaskRepository.ActiveTask>> active(@QueryParam("active") String active) {
        if (!"true".equals(active)) {
            // A listing of every task ever is unbounded; only the active set is offered.
            throw ProblemException.badRequest("only ?active=true is supported");
        }
        List<String> terminal = pipeline.stages().stream().filter(Stage::terminal).map(Stage::key).toList();
        return pool.withConnection(connection -> tasks.active(connection, terminal));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A task with its stage history and effect ledger")
    public Uni<TaskView> get(@PathParam("id") String id) {
        return pool.withConnection(connection -> tasks.find(connection, id).flatMap(task -> {
            if (task.isEmpty()) {
                throw ProblemException.notFound("no task " + id);
            }
            return tasks.history(connection, id).flatMap(history -> ledger.entries(id)
                    .map(effects -> new TaskView(task.get(), history, effects)));
        }));
    }

    @POST
    @Path("/{id}/transitions")
    @Operation(summary = "Enter a transition: advanced/already (200), deferred/lost-race/conflict/fenced/in-doubt (409)")
    public Uni<Response> transition(@PathParam("id") String id, TransitionBody body) {
        if (body == null) {
            throw ProblemException.badRequest("a JSON body {from, to, actor, reason, requestId} is required");
        }
        Actor actor = Actor.fromKey(required("actor", body.actor())).orElseThrow(() -> ProblemException.badRequest(
                "unknown actor '" + body.actor() + "' (one of " + Actor.keys() + ")"));
        TransitionRequest request = new TransitionRequest(taskId(id), required("from", body.from()),
                required("to", body.to()), actor, optional("reason", body.reason()),
                optional("requestId", body.requestId()));
        return transitions.transition(request).map(TaskResource::answer);
    }

    static Response answer(TransitionResult result) {
        return Response.status(result.outcome().status()).entity(result).build();
    }

    public static String taskId(String id) {
        if (id == null || !TASK_ID.matcher(id).matches()) {
            throw ProblemException.badRequest("task id must match " + TASK_ID.pattern());
        }
        return id;
    }

    static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ProblemException.badRequest("'" + field + "' is required");
        }
        return optional(field, value.trim());
    }

    static String optional(String field, String value) {
        if (value != null && value.length() > MAX_TEXT) {
            throw ProblemException.badRequest("'" + field + "' is longer than " + MAX_TEXT + " characters");
        }
        return value;
    }
}
