package dev.baton.stage.gate;

import dev.baton.stage.ProblemException;
import dev.baton.stage.pipeline.InvalidPipelineException;
import dev.baton.stage.pipeline.PipelineDefinition;
import dev.baton.stage.pipeline.Stage;
import dev.baton.stage.pipeline.Transition;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Evaluates the quality gates of a task's current stage over the stored facts, changing
 * nothing. The same evaluation serves {@code GET /tasks/{id}/gates}, job finalisation, the
 * reaper and the transition protocol.
 */
@ApplicationScoped
public class GateEvaluator {

    /** The named checks a pipeline stage may list. */
    static final Map<String, Function<TaskFacts, GateReport.Check>> CHECKS = Map.of(
            "agent_exit_ok", f -> check("agent_exit_ok", f.lastExitCode() != null && f.lastExitCode() == 0,
                    f.lastExitCode() == null ? "no exit code recorded for this stage's job"
                            : "last agent exit code " + f.lastExitCode()),
            "pr_open", f -> check("pr_open", f.prNumber() != null && f.headSha() != null
                            && !"closed".equals(f.prState()),
                    f.prNumber() == null ? "no PR recorded" : "PR #" + f.prNumber() + " " + f.prState() + " at "
                            + f.headSha()),
            "ci_green", f -> check("ci_green", f.headSha() != null && !f.statuses().isEmpty()
                            && f.statuses().values().stream().allMatch("success"::equals),
                    f.headSha() == null ? "no head SHA" : "statuses for " + f.headSha() + ": " + f.statuses()),
            "coverage_at_floor", f -> check("coverage_at_floor", f.coverage() != null
                            && f.coverage().compareTo(Optional.ofNullable(f.coverageFloor()).orElse(BigDecimal.ZERO)) >= 0,
                    "coverage " + f.coverage() + " vs floor " + f.coverageFloor()),
            "approval_recorded", f -> check("approval_recorded", f.approvedBy() != null,
                    f.approvedBy() == null ? "no approval recorded" : "approved by " + f.approvedBy()),
            "staging_deployed", f -> check("staging_deployed", "success".equals(f.stagingDeploy()),
                    "staging deploy " + f.stagingDeploy()),
            "production_deployed", f -> check("production_deployed", "success".equals(f.productionDeploy()),
                    "production deploy " + f.productionDeploy()));

    private final PipelineDefinition pipeline;
    private final FactsRepository facts;

    public GateEvaluator(PipelineDefinition pipeline, FactsRepository facts) {
        this.pipeline = pipeline;
        this.facts = facts;
    }

    /** Every gate the pipeline names must exist, or the service does not start. */
    void checkGates(@Observes StartupEvent event) {
        List<String> unknown = pipeline.stages().stream().flatMap(s -> s.gates().stream())
                .filter(g -> !CHECKS.containsKey(g)).distinct().toList();
        if (!unknown.isEmpty()) {
            throw new InvalidPipelineException(List.of("unknown gate(s) " + unknown + "; known: "
                    + CHECKS.keySet()));
        }
    }

    /** The verdict on the task's current stage, with the facts it was based on. */
    public Uni<Evaluation> evaluate(SqlClient client, String taskId, String stageKey) {
        return facts.facts(client, taskId).map(found -> {
            TaskFacts f = found.orElseThrow(() -> ProblemException.notFound("no task " + taskId));
            return new Evaluation(verdict(f, stageKey), f);
        });
    }

    /** The verdicts of many tasks, each on its {@code stage}, from one batched read of their facts (by task id). */
    public Uni<Map<String, GateReport>> evaluate(SqlClient client, Map<String, String> stageByTask) {
        return facts.facts(client, List.copyOf(stageByTask.keySet())).map(found -> {
            Map<String, GateReport> reports = new LinkedHashMap<>();
            found.forEach((taskId, f) -> reports.put(taskId, verdict(f, stageByTask.get(taskId))));
            return reports;
        });
    }

    private GateReport verdict(TaskFacts f, String stageKey) {
        String taskId = f.taskId();
        Stage stage = pipeline.stage(stageKey).orElseThrow();
        List<GateReport.Check> checks = new ArrayList<>();
        stage.gates().forEach(gate -> checks.add(CHECKS.get(gate).apply(f)));
        List<String> failed = checks.stream().filter(c -> !c.passed()).map(c -> "gate." + c.name() + ".failed")
                .toList();
        if (failed.isEmpty()) {
            return new GateReport(taskId, stageKey, "advance",
                    pipeline.forward(stageKey).map(Transition::to).orElse(null), "advance", checks, failed);
        }
        Optional<String> back = pipeline.rollback(stageKey).map(Transition::to);
        return back.map(target -> new GateReport(taskId, stageKey, "rollback", target, "rollback:" + target,
                        checks, failed))
                .orElseGet(() -> new GateReport(taskId, stageKey, "hold", null, "hold", checks, failed));
    }

    /** A verdict and the facts it saw (effects act on exactly what the gates checked). */
    public record Evaluation(GateReport report, TaskFacts facts) {
    }

    private static GateReport.Check check(String name, boolean passed, String detail) {
        return new GateReport.Check(name, passed, detail);
    }
}
