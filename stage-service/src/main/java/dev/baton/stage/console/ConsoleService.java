package dev.baton.stage.console;

import dev.baton.stage.ProblemException;
import dev.baton.stage.config.ConsoleConfig;
import dev.baton.stage.console.ConsoleViews.Attention;
import dev.baton.stage.console.ConsoleViews.Board;
import dev.baton.stage.console.ConsoleViews.Card;
import dev.baton.stage.console.ConsoleViews.CardRow;
import dev.baton.stage.console.ConsoleViews.Column;
import dev.baton.stage.console.ConsoleViews.Item;
import dev.baton.stage.console.ConsoleViews.LeaseView;
import dev.baton.stage.gate.GateEvaluator;
import dev.baton.stage.gate.GateReport;
import dev.baton.stage.lease.Lease;
import dev.baton.stage.lease.LeaseRepository;
import dev.baton.stage.pipeline.PipelineDefinition;
import dev.baton.stage.pipeline.Stage;
import dev.baton.stage.task.TaskRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Builds the console's pages from {@link ConsoleRepository} and the protocol's own public reads
 * (leases with liveness, the gates verdict, history), so the console judges a lease or a gate
 * exactly as the protocol does.
 */
@ApplicationScoped
public class ConsoleService {

    private final Pool pool;
    private final ConsoleRepository console;
    private final PipelineDefinition pipeline;
    private final LeaseRepository leases;
    private final TaskRepository tasks;
    private final GateEvaluator gates;
    private final ConsoleConfig config;

    public ConsoleService(Pool pool, ConsoleRepository console, PipelineDefinition pipeline, LeaseRepository leases,
                          TaskRepository tasks, GateEvaluator gates, ConsoleConfig config) {
        this.pool = pool;
        this.console = console;
        this.pipeline = pipeline;
        this.leases = leases;
        this.tasks = tasks;
        this.gates = gates;
        this.config = config;
    }

    /** A stage's label in {@code lang} ({@code en} when the pipeline has none in that language). */
    public String label(String stageKey, String lang) {
        return pipeline.stage(stageKey).map(stage -> label(stage, lang)).orElse(stageKey);
    }

    private static String label(Stage stage, String lang) {
        Map<String, String> labels = stage.label() == null ? Map.of() : stage.label();
        return labels.getOrDefault(lang, labels.getOrDefault("en", stage.key()));
    }

    /**
     * The board. Gates are evaluated only for cards waiting on them (a gated stage with no open
     * job and no lease), the only ones for which "gates failing" says something to act on.
     */
    public Uni<Board> board(String lang) {
        List<String> terminal = pipeline.stages().stream().filter(Stage::terminal).map(Stage::key).toList();
        return pool.withConnection(connection -> console.cards(connection, terminal, config.terminalShown())
                        .flatMap(rows -> leases.all(connection).map(all -> Map.entry(rows, all))))
                .flatMap(found -> {
                    Map<String, Lease> byTask = found.getValue().stream()
                            .collect(Collectors.toMap(Lease::taskId, Function.identity()));
                    List<CardRow> waiting = found.getKey().stream()
                            .filter(row -> waitsOnGates(row, byTask.containsKey(row.id()))).toList();
                    return failingGates(waiting).map(failing -> columns(found.getKey(), byTask, failing, lang));
                });
    }

    private boolean waitsOnGates(CardRow row, boolean leased) {
        Stage stage = pipeline.stage(row.stage()).orElse(null);
        return stage != null && !stage.gates().isEmpty() && row.job() == null && !leased
                && (!stage.worked() || row.stageJob() != null);
    }

    /** One batched read of the waiting cards' facts, judged by the protocol's own gate checks. */
    private Uni<Set<String>> failingGates(List<CardRow> waiting) {
        if (waiting.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        Map<String, String> stageByTask = new LinkedHashMap<>();
        waiting.forEach(row -> stageByTask.put(row.id(), row.stage()));
        return gates.evaluate(pool, stageByTask).map(reports -> reports.values().stream()
                .filter(report -> !report.advance()).map(GateReport::taskId).collect(Collectors.toSet()));
    }

    private Board columns(List<CardRow> rows, Map<String, Lease> byTask, Set<String> failing, String lang) {
        Map<String, List<Card>> cards = new LinkedHashMap<>();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (CardRow row : rows) {
            Lease lease = byTask.get(row.id());
            cards.computeIfAbsent(row.stage(), s -> new ArrayList<>()).add(new Card(row.id(), row.title(),
                    row.repo(), row.stage(), row.ageS(), row.costUsd(),
                    lease == null ? null : lease.live() ? "live" : "stale", row.inDoubt(), row.job(),
                    "done".equals(row.planeSync()) ? null : row.planeSync(), failing.contains(row.id())));
            counts.put(row.stage(), row.inStage());
        }
        List<Column> columns = new ArrayList<>();
        for (Stage stage : pipeline.stages()) {
            columns.add(new Column(stage.key(), label(stage, lang), stage.terminal(),
                    counts.getOrDefault(stage.key(), 0L), cards.getOrDefault(stage.key(), List.of())));
        }
        return new Board(columns, rows.size());
    }

    /** Everything about one work item; 404 if there is none. */
    public Uni<Item> item(String id, String lang) {
        return pool.withConnection(c -> tasks.find(c, id).flatMap(found -> {
            var task = found.orElseThrow(() -> ProblemException.notFound("no task " + id));
            boolean gated = pipeline.stage(task.stage()).map(s -> !s.gates().isEmpty()).orElse(false);
            Uni<GateReport> verdict = gated
                    ? gates.evaluate(c, id, task.stage()).map(GateEvaluator.Evaluation::report)
                    : Uni.createFrom().nullItem();
            return tasks.history(c, id).flatMap(history -> console.effects(c, id)
                    .flatMap(effects -> verdict
                    .flatMap(report -> console.jobs(c, id)
                    .flatMap(jobs -> console.pullRequest(c, id)
                    .flatMap(pr -> console.planeSync(c, id)
                    .flatMap(plane -> console.alerts(c, id)
                    .flatMap(alerts -> lease(c, id)
                    .map(lease -> new Item(task.id(), task.title(), task.repo(), task.stage(),
                            label(task.stage(), lang), task.planeIssue(), history, effects, report, jobs,
                            pr.orElse(null), plane.orElse(null), lease, alerts)))))))));
        }));
    }

    private Uni<LeaseView> lease(SqlClient client, String id) {
        return leases.find(client, id).flatMap(found -> found.isEmpty() ? Uni.createFrom().nullItem()
                : console.effectsOfToken(client, id, found.get().token())
                        .map(effects -> new LeaseView(found.get(), null, effects)));
    }

    /** Every lease with its owner, liveness, the work item's title and what the owner was doing. */
    public Uni<List<LeaseView>> leases() {
        return pool.withConnection(c -> leases.all(c).flatMap(all -> views(c, all)));
    }

    private Uni<List<LeaseView>> views(SqlClient client, List<Lease> all) {
        if (all.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return console.titles(client, all.stream().map(Lease::taskId).toList()).flatMap(titles -> Uni.join()
                .all(all.stream().map(lease -> console.effectsOfToken(client, lease.taskId(), lease.token())
                        .map(effects -> new LeaseView(lease, titles.get(lease.taskId()), effects))).toList())
                .andFailFast());
    }

    /** One lease, for the force-release confirmation; 404 if there is none. */
    public Uni<LeaseView> lease(String id) {
        return pool.withConnection(c -> leases.find(c, id).flatMap(found -> views(c, found.stream().toList())))
                .map(views -> views.stream().findFirst()
                        .orElseThrow(() -> ProblemException.notFound("no transition lease for " + id)));
    }

    public Uni<Attention> attention() {
        return pool.withConnection(c -> console.inDoubt(c)
                .flatMap(inDoubt -> console.deadEvents(c)
                .flatMap(dead -> console.reaped(c)
                .flatMap(reaped -> console.planeFailures(c)
                .flatMap(plane -> console.planeDrift(c)
                .flatMap(drift -> leases.all(c)
                .flatMap(all -> views(c, all.stream().filter(l -> !l.live()).toList())
                .map(stale -> new Attention(inDoubt, dead, reaped, plane, drift, stale)))))))));
    }

    public Uni<List<ConsoleViews.RunnerRow>> runners() {
        return pool.withConnection(console::runners);
    }

    public Uni<List<ConsoleViews.AlertRow>> recentAlerts() {
        return pool.withConnection(c -> console.recentAlerts(c, 10));
    }
}
