package dev.baton.stage.transition;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.Actor;
import dev.baton.stage.ProbeEffect;
import dev.baton.stage.lease.Liveness;
import dev.baton.stage.pipeline.PipelineDefinition;
import dev.baton.stage.pipeline.Transition;
import dev.baton.stage.pipeline.TransitionKind;
import dev.baton.stage.recovery.RecoveryService;
import dev.baton.stage.task.TaskService;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static dev.baton.stage.StageApi.GUARDED_REPO;
import static dev.baton.stage.StageApi.newTaskId;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Five actors race, round after round, on every task of a batch: each asks a random transition
 * the pipeline allows from the stage the round starts at (effectful advances, effect-free
 * advances, rollbacks, cancels), all five released by a barrier, through {@link TransitionService}.
 * Meanwhile a killer terminates ({@code pg_terminate_backend}) random connections of the
 * service's pool at random points of the protocol, and a few times the liveness connection (the
 * owner "dies" for everyone else and registers again under a new boot id). At the end the process
 * dies once more as an owner, the recovery sweep re-drives what is left, and the counts must hold:
 * no lease left, no effect run twice for a transition, none missing for a committed one, every
 * history chain unbroken, one outbox event per committed change.
 *
 * <p>Size: {@code -Dbaton.race.tasks} (500) tasks, {@code -Dbaton.race.rounds} (2) rounds each; a
 * longer run: {@code -Dbaton.race.rounds=4} (chains of up to four transitions per task).
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class TransitionRandomRaceTest {

    static final String[] ACTORS = {"monitor", "plane-webhook", "reconciler", "reaper", "deploy-finalizer"};
    static final int TASKS = Integer.getInteger("baton.race.tasks", 500);
    static final int ROUNDS = Integer.getInteger("baton.race.rounds", 2);
    /** Far above a transition's time even on a loaded machine: a call that takes this long is stuck. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(TransitionRandomRaceTest.class);
    /** The pool's connections (vertx-pg-client's default application_name), never the test's own JDBC ones. */
    static final String POOL_BACKENDS = """
            SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend'
              AND application_name = 'vertx-pg-client' AND pid <> pg_backend_pid()""";
    static final String LIVENESS_BACKENDS = """
            SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'baton-stage-liveness'""";

    @Inject
    TransitionService transitions;
    @Inject
    TaskService taskService;
    @Inject
    PipelineDefinition pipeline;
    @Inject
    ProbeEffect probe;
    @Inject
    Liveness liveness;
    @Inject
    RecoveryService recovery;

    @Test
    void randomTransitionsUnderKilledConnectionsRunEveryEffectOnceAndPublishEveryChangeOnce() throws Exception {
        String prefix = "RND" + UUID.randomUUID().toString().substring(0, 4).toUpperCase();
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            String task = newTaskId(prefix);
            tasks.add(task);
            taskService.create(task, GUARDED_REPO, "race " + i, "development", null, null, Actor.OPERATOR)
                    .await().atMost(Duration.ofSeconds(10)).orElseThrow();
        }

        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
        AtomicBoolean racing = new AtomicBoolean(true);
        AtomicInteger poolKills = new AtomicInteger();
        AtomicInteger livenessKills = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(ACTORS.length);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        CompletableFuture<Void> killer = new CompletableFuture<>();
        try (Connection killing = jdbc(); Connection reading = jdbc()) {
            killUntilDone(timer, killing, new Random(7), racing, poolKills, livenessKills, killer);
            race(tasks, outcomes, errors, threads, reading);
            racing.set(false);
            killer.get(30, TimeUnit.SECONDS);
        } finally {
            racing.set(false);
            threads.shutdownNow();
            timer.shutdownNow();
        }

        // The owner dies for good: its leases (of transitions whose statements were killed) go
        // stale, and the recovery sweep of the process registered again re-drives them.
        await().atMost(Duration.ofSeconds(30)).until(() -> liveness.current().isPresent());
        liveness.registration().orElseThrow().sever().await().atMost(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(30)).until(() -> liveness.current().isPresent());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            recovery.sweepNow().await().atMost(Duration.ofSeconds(30));
            return leasesOf(prefix) == 0;
        });

        String summary = "outcomes " + outcomes + ", errors " + errors + ", pool connections killed " + poolKills
                + ", liveness killed " + livenessKills;
        LOG.infof("random race done: %s", summary);
        assertTrue(poolKills.get() >= 10, "the killer must really kill: " + summary);
        assertEquals(0, outcomes.getOrDefault("timeout", new AtomicInteger()).get(), "no call hangs: " + summary);
        assertTrue(outcomes.getOrDefault("advanced", new AtomicInteger()).get() >= TASKS, summary);
        assertTrue(outcomes.getOrDefault("deferred", new AtomicInteger()).get() > 0, "actors really raced: " + summary);
        // Every writer here respects the lease, so a CAS under a held lease can never find the
        // stage moved: a lost race would mean a transition committed past a live owner's lease.
        assertEquals(0, outcomes.getOrDefault("lost-race", new AtomicInteger()).get(), summary);

        int committedEffects = 0;
        int duplicates = 0;
        int missing = 0;
        try (Connection c = jdbc()) {
            for (String task : tasks) {
                Chain chain = chain(c, task);
                assertTrue(chain.problem() == null, task + ": " + chain.problem() + "; " + summary);
                List<Long> versions = eventVersions(c, task);
                assertEquals(chain.versions(), versions, task + ": one outbox event per committed change, in order");
                for (long seq : chain.effectful()) {
                    committedEffects++;
                    if (probe.applied(task, seq) == 0) {
                        missing++;
                    }
                }
                for (long seq = 0; seq <= chain.versions().size(); seq++) {
                    if (probe.applied(task, seq) > 1) {
                        duplicates++;
                    }
                }
            }
        }
        assertEquals(0, duplicates, "effects run twice for one transition; " + summary);
        assertEquals(0, missing, "committed effectful transitions whose effect never ran; " + summary);
        assertTrue(committedEffects > TASKS / 2, "enough effectful transitions committed (" + committedEffects
                + "); " + summary);
    }

    /** Every task for {@link #ROUNDS} rounds, the five actors released together on each. */
    private void race(List<String> tasks, Map<String, AtomicInteger> outcomes, Map<String, AtomicInteger> errors,
                      ExecutorService threads, Connection reading) throws Exception {
        AtomicReferenceArray<String> stageAtRound = new AtomicReferenceArray<>(1);
        List<String> order = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            order.addAll(tasks);
        }
        AtomicInteger step = new AtomicInteger(-1);
        long began = System.currentTimeMillis();
        CyclicBarrier start = new CyclicBarrier(ACTORS.length, () -> {
            // A round starts only while the process is registered: the killer still cuts the
            // registration mid-round, but an outage does not eat whole rounds on a fast machine.
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(30))
                    .until(() -> liveness.current().isPresent());
            int next = step.incrementAndGet();
            stageAtRound.set(0, next < order.size() ? stageOf(reading, order.get(next)) : null);
        });
        List<Future<?>> actors = new ArrayList<>();
        for (int a = 0; a < ACTORS.length; a++) {
            Actor actor = Actor.fromKey(ACTORS[a]).orElseThrow();
            boolean a0 = a == 0;
            Random random = new Random(31L * a + TASKS);
            actors.add(threads.submit(() -> {
                while (true) {
                    start.await(60, TimeUnit.SECONDS);
                    int at = step.get();
                    if (at >= order.size()) {
                        return null;
                    }
                    if (a0 && at % 250 == 0) {
                        LOG.infof("random race: round %d of %d after %d ms: %s", at, order.size(),
                                System.currentTimeMillis() - began, outcomes);
                    }
                    String stage = stageAtRound.get(0);
                    Transition pick = pick(stage, random);
                    String outcome;
                    if (pick == null) {
                        outcome = "nothing-to-do";
                    } else {
                        try {
                            outcome = transitions.transition(new TransitionRequest(order.get(at), pick.from(),
                                            pick.to(), actor, "random race", null))
                                    .await().atMost(CALL_TIMEOUT).outcome().key();
                        } catch (io.smallrye.mutiny.TimeoutException e) {
                            outcome = "timeout";
                        } catch (RuntimeException e) {
                            // A killed connection or a lost registration: the caller sees an error
                            // and, like an actor, simply moves on.
                            outcome = "error";
                            errors.computeIfAbsent(errorKind(e), k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                    outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                }
            }));
        }
        for (Future<?> actor : actors) {
            actor.get(10, TimeUnit.MINUTES);
        }
    }

    /** What kind of error an actor saw: a 503 (no registration) or the failure a killed connection causes. */
    private static String errorKind(RuntimeException e) {
        if (e instanceof dev.baton.stage.ProblemException problem) {
            return "problem-" + problem.status();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }

    /** A random transition out of {@code stage}: cancels rarely, so chains get long. */
    private Transition pick(String stage, Random random) {
        List<Transition> out = pipeline.transitions().stream().filter(t -> t.from().equals(stage)).toList();
        List<Transition> notCancel = out.stream().filter(t -> t.kind() != TransitionKind.CANCEL).toList();
        if (out.isEmpty()) {
            return null;
        }
        if (notCancel.isEmpty() || random.nextInt(100) < 3) {
            return out.get(random.nextInt(out.size()));
        }
        return notCancel.get(random.nextInt(notCancel.size()));
    }

    /**
     * Kills a random pool connection every 50-150 ms, and now and then (at most three times) the
     * liveness connection, until the race is over.
     */
    private void killUntilDone(ScheduledExecutorService timer, Connection c, Random random, AtomicBoolean racing,
                               AtomicInteger poolKills, AtomicInteger livenessKills, CompletableFuture<Void> done) {
        if (!racing.get()) {
            done.complete(null);
            return;
        }
        timer.schedule(() -> {
            try {
                boolean owner = random.nextInt(100) < 2 && livenessKills.get() < 3
                        && liveness.current().isPresent();
                List<Integer> pids = pids(c, owner ? LIVENESS_BACKENDS : POOL_BACKENDS);
                if (!pids.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
                        ps.setInt(1, pids.get(random.nextInt(pids.size())));
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next() && rs.getBoolean(1)) {
                                (owner ? livenessKills : poolKills).incrementAndGet();
                            }
                        }
                    }
                }
                killUntilDone(timer, c, random, racing, poolKills, livenessKills, done);
            } catch (SQLException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, 50 + random.nextInt(100), TimeUnit.MILLISECONDS);
    }

    /** A task's history, checked as a chain; the versions it committed and the effectful ones' entry versions. */
    private record Chain(List<Long> versions, List<Long> effectful, String problem) {
    }

    private Chain chain(Connection c, String task) throws SQLException {
        List<Long> versions = new ArrayList<>();
        List<Long> effectful = new ArrayList<>();
        String stage = null;
        long version = 0;
        Map<String, Transition> byEnds = new HashMap<>();
        pipeline.transitions().forEach(t -> byEnds.put(t.from() + ">" + t.to(), t));
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT from_stage, to_stage, kind FROM stage.stage_history WHERE task_id = ? ORDER BY id")) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String from = rs.getString(1);
                    String to = rs.getString(2);
                    if ("created".equals(rs.getString(3))) {
                        stage = to;
                        continue;
                    }
                    if (!from.equals(stage)) {
                        return new Chain(versions, effectful, "history row " + from + " -> " + to + " after " + stage);
                    }
                    Transition t = byEnds.get(from + ">" + to);
                    if (t == null) {
                        return new Chain(versions, effectful, "history row of a transition the pipeline lacks: "
                                + from + " -> " + to);
                    }
                    if (!t.effects().isEmpty()) {
                        effectful.add(version);
                    }
                    version++;
                    versions.add(version);
                    stage = to;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT stage, version FROM stage.task WHERE id = ?")) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getString(1).equals(stage) || rs.getLong(2) != version) {
                    return new Chain(versions, effectful, "task at " + rs.getString(1) + " v" + rs.getLong(2)
                            + " but its history ends at " + stage + " v" + version);
                }
            }
        }
        return new Chain(versions, effectful, null);
    }

    /** The versions of the task's transition events in the outbox, in outbox order. */
    private static List<Long> eventVersions(Connection c, String task) throws SQLException {
        List<Long> versions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT (payload ->> 'version')::bigint FROM stage.outbox
                WHERE aggregate_id = ? AND topic = 'baton.transitions' AND payload ->> 'kind' IS NOT NULL ORDER BY id""")) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    versions.add(rs.getLong(1));
                }
            }
        }
        return versions;
    }

    private static long leasesOf(String prefix) throws SQLException {
        try (Connection c = jdbc(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM stage.transition_lease WHERE task_id LIKE ?")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The stage a round starts at (read by the barrier's action, so one reader at a time). */
    private static String stageOf(Connection c, String task) {
        try (PreparedStatement ps = c.prepareStatement("SELECT stage FROM stage.task WHERE id = ?")) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Integer> pids(Connection c, String sql) throws SQLException {
        List<Integer> pids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                pids.add(rs.getInt(1));
            }
        }
        return pids;
    }

    private static Connection jdbc() throws SQLException {
        BatonTestResource.Servers s = BatonTestResource.servers();
        return DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
    }
}
