package dev.baton.stage.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.Actor;
import dev.baton.stage.ProbeEffect;
import dev.baton.stage.job.JobRepository;
import dev.baton.stage.transition.Outcome;
import dev.baton.stage.transition.TransitionRequest;
import dev.baton.stage.transition.TransitionResult;
import dev.baton.stage.transition.TransitionService;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.inject.Inject;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbc.JdbcLockProvider;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The benchmark of issue 9 (not a timed test: it asserts correctness only, never timing). One
 * run, one PostgreSQL, one broker; it prints its tables and writes them into
 * {@code docs/benchmarks.md} between its markers (the text around them is kept).
 *
 * <ol>
 *   <li>Transition throughput at 1, 8, 32, 64 actors, side by side: (a) the floor, a bare
 *       {@code UPDATE task SET stage = ? WHERE id = ?}; (b) the same UPDATE under ShedLock's JDBC
 *       provider (lock, update, unlock); (c) {@link TransitionService#transition}, Baton's own
 *       path, on a transition without effects. Commits per transition from
 *       {@code pg_stat_database}.</li>
 *   <li>Contention: five actors race {@code development -> review} (the counting probe effect)
 *       on each of 1,000 tasks: duplicate effects (must be 0), and the losers' answer latency.</li>
 *   <li>(end-to-end: not here; see docs/benchmarks.md)</li>
 *   <li>Footprint of each packaged service: time to ready, idle RSS, per set of JVM flags.</li>
 *   <li>Reaper sweep over 100,000 running jobs: {@code GET /jobs?status=running} and its plan.</li>
 * </ol>
 *
 * Knobs (system properties): {@code baton.bench.parts} (default {@code 1,2,4,5}),
 * {@code baton.bench.tasks} (10000), {@code baton.bench.phase-cap} (seconds per throughput phase,
 * 15), {@code baton.bench.actors} (1,8,32,64), {@code baton.bench.root} (the repository),
 * {@code baton.bench.tracing} (false: the SDK off, as deployed by default).
 */
@QuarkusTest
@TestProfile(BenchProfile.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class TransitionBenchmark {

    static final int[] CONCURRENCY = Arrays.stream(System.getProperty("baton.bench.actors", "1,8,32,64").split(","))
            .mapToInt(Integer::parseInt).toArray();
    static final String REPO = "acme/guarded";
    static final String FLOOR_UPDATE = "UPDATE stage.task SET stage = ? WHERE id = ?";
    static final int RACE_TASKS = 1_000;
    static final String[] RACERS = {"monitor", "plane-webhook", "reconciler", "reaper", "deploy-finalizer"};
    static final int RUNNING_JOBS = 100_000;
    static final String RUN = Long.toString(System.currentTimeMillis(), 36);
    static final int SWEEPS = 5;
    static final String COMMAND = "./mvnw -B -ntp -pl baton-common,baton-infra,stage-service -Pbench -DskipTests"
            + " -Dtest=TransitionBenchmark verify";

    @Inject
    TransitionService transitions;
    @Inject
    ProbeEffect probe;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    Pool pool;
    @TestHTTPResource("/")
    URL base;

    private final Set<String> parts = Set.of(System.getProperty("baton.bench.parts", "1,2,4,5").split(","));
    private final int tasksPerPhase = Integer.getInteger("baton.bench.tasks", 10_000);
    private final Duration phaseCap = Duration.ofSeconds(Integer.getInteger("baton.bench.phase-cap", 15));
    /** Names this run's section of docs/benchmarks.md, e.g. one per PostgreSQL it ran against. */
    private final String label = System.getProperty("baton.bench.label", "embedded");
    private final StringBuilder md = new StringBuilder();
    private Connection admin;
    private CpuClock cpu;
    private int batch;

    @Test
    void benchmark() throws Exception {
        BatonTestResource.Servers servers = BatonTestResource.servers();
        long began = System.nanoTime();
        try (Connection c = DriverManager.getConnection(servers.jdbcUrl(), servers.pgUser(), servers.pgPassword())) {
            admin = c;
            header(servers);
            if (parts.contains("4")) {
                footprint(servers);
            }
            if (parts.contains("1")) {
                throughput();
            }
            if (parts.contains("2")) {
                contention();
            }
            if (parts.contains("5")) {
                reaperSweep();
            }
            line("Whole run: %.0f s; load average at the end: %s.", (System.nanoTime() - began) / 1e9, loadAverage());
        }
        write();
    }

    // ------------------------------------------------------------------ header

    private void header(BatonTestResource.Servers servers) throws Exception {
        String pgVersion = one("SHOW server_version");
        line("### Run `%s` of %s", label, OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE));
        line("");
        line("- Date: %s", OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        line("- Machine: %d cores (%s), %s MB memory (MemTotal); load average at the start: %s",
                Runtime.getRuntime().availableProcessors(), cpuModel(), memTotalMb(), loadAverage());
        line("- PostgreSQL %s (%s: fsync=%s, synchronous_commit=%s, shared_buffers=%s, max_connections=%s)",
                pgVersion, System.getenv("BATON_TEST_PG_URL") == null
                        ? "embedded, zonky binaries, as every test uses it" : "given by BATON_TEST_PG_URL",
                one("SHOW fsync"),
                one("SHOW synchronous_commit"), one("SHOW shared_buffers"), one("SHOW max_connections"));
        line("- Kafka %s (in-process single-node KRaft broker, BatonTestResource)", AppInfoParser.getVersion());
        line("- JVM: %s %s; flags of the benchmark JVM: `%s`", System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        // Maven's launcher exports its arguments; the forked JVM inherits them.
        String args = System.getenv("MAVEN_CMD_LINE_ARGS");
        line("- Command: `%s%s`", System.getenv("BATON_TEST_PG_URL") == null ? ""
                : "BATON_TEST_PG_URL=" + System.getenv("BATON_TEST_PG_URL") + " ",
                args == null || args.isBlank() ? COMMAND : "./mvnw " + args.trim());
        line("- Pools: %d reactive connections (Baton's path) and %d JDBC connections (floor, ShedLock)",
                BenchProfile.POOL_SIZE, BenchProfile.POOL_SIZE);
        line("- Tracing: %s", BenchProfile.TRACING
                ? "on (`-Dbaton.bench.tracing=true`: the OpenTelemetry SDK records every span the sampler keeps, in memory, no exporter)"
                : "off (the OpenTelemetry SDK disabled, as a service runs without `BATON_OTEL_ENDPOINT`)");
        line("");
    }

    // ------------------------------------------------------------------ part 1

    /** One measured phase of part 1. */
    private record Phase(String variant, int actors, int done, double seconds, Latencies latencies, long commits,
                         long writeTxns, long relayRounds, long jvmCpuNanos, long pgCpuNanos, long driverCpuNanos,
                         long loopCpuNanos, long kafkaCpuNanos) {

        double rate() {
            return done / seconds;
        }
    }

    private interface TaskOp {
        void run(String taskId) throws Exception;
    }

    private void throughput() throws Exception {
        one("CREATE SCHEMA IF NOT EXISTS bench");
        one("CREATE TABLE IF NOT EXISTS bench.shedlock (name varchar(64) NOT NULL, lock_until timestamp NOT NULL,"
                + " locked_at timestamp NOT NULL, locked_by varchar(255) NOT NULL, PRIMARY KEY (name))");
        JdbcLockProvider shedlock = new JdbcLockProvider(dataSource, "bench.shedlock");
        cpu = new CpuClock(Long.parseLong(one("SELECT pg_backend_pid()")));
        Map<String, TaskOp> variants = new LinkedHashMap<>();
        variants.put("(a) bare UPDATE", this::floor);
        variants.put("(b) ShedLock + UPDATE", id -> {
            Optional<SimpleLock> lock = shedlock.lock(new LockConfiguration(ClockProvider.now(), "task-" + id,
                    Duration.ofMinutes(5), Duration.ZERO));
            SimpleLock held = lock.orElseThrow(() -> new IllegalStateException("ShedLock refused " + id));
            try {
                floor(id);
            } finally {
                held.unlock();
            }
        });
        variants.put("(c) Baton transition", id -> {
            TransitionResult result = transitions.transition(new TransitionRequest(id, "created", "analysis",
                    Actor.OPERATOR, "benchmark", null)).await().atMost(Duration.ofSeconds(60));
            if (result.outcome() != Outcome.ADVANCED) {
                throw new IllegalStateException(id + ": " + result);
            }
        });

        // Warm-up (not measured): JIT, both pools at full size, the relay's producer.
        for (Map.Entry<String, TaskOp> variant : variants.entrySet()) {
            run(variant.getKey(), 8, newTasks(2_000, "created"), variant.getValue(), Duration.ofSeconds(10));
        }
        awaitOutboxDrained();
        double idleRate = idleCommitRate();

        List<Phase> phases = new ArrayList<>();
        for (int actors : CONCURRENCY) {
            for (Map.Entry<String, TaskOp> variant : variants.entrySet()) {
                List<String> tasks = newTasks(tasksPerPhase, "created");
                settle();
                long[] before = counters();
                long[] cpuBefore = cpu.now();
                Run run = run(variant.getKey(), actors, tasks, variant.getValue(), phaseCap);
                awaitOutboxDrained();
                long[] cpuAfter = cpu.now();
                long[] after = counters();
                Phase phase = new Phase(variant.getKey(), actors, run.done(), run.seconds(), run.latencies(),
                        after[0] - before[0], after[1] - before[1], relayRounds(tasks), cpuAfter[0] - cpuBefore[0],
                        cpuBefore[1] < 0 ? -1 : cpuAfter[1] - cpuBefore[1], run.driverCpuNanos(),
                        cpuAfter[2] - cpuBefore[2], cpuAfter[3] - cpuBefore[3]);
                phases.add(phase);
                System.out.printf(Locale.ROOT, "bench part 1: %-22s %2d actors: %6d in %5.1f s = %7.0f/s, p50 %.2f ms,"
                                + " p99 %.2f ms, %.2f commits/transition, CPU us/transition JVM %.0f PG %.0f (load %s)%n",
                        phase.variant(), actors, phase.done(), phase.seconds(), phase.rate(),
                        phase.latencies().ms(50), phase.latencies().ms(99), (double) phase.commits() / phase.done(),
                        phase.jvmCpuNanos() / 1e3 / phase.done(), phase.pgCpuNanos() / 1e3 / phase.done(),
                        loadAverage());
            }
        }
        reportThroughput(phases, idleRate);
    }

    private void floor(String id) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(FLOOR_UPDATE)) {
            ps.setString(1, "analysis");
            ps.setString(2, id);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("no task " + id);
            }
        }
    }

    private void reportThroughput(List<Phase> phases, double idleRate) {
        line("#### 1. Transition throughput");
        line("");
        line("Each phase: a fresh batch of %,d tasks at `created`, the given number of actors each doing one"
                + " `created -> analysis` at a time (no effects, no gates: actor `operator`) until the batch is"
                + " done or %d s have passed. Commits = `xact_commit` delta of `pg_stat_database` over the phase"
                + " and the outbox drain after it, per transition (every commit of the database, read-only ones"
                + " included); write txns = transaction ids assigned (the commits that wait for the WAL"
                + " flush). CPU = time spent by the benchmark JVM (application, driver threads, in-process broker)"
                + " and by the PostgreSQL server's processes over the same window, per transition: on 2 cores the"
                + " sum bounds the rate. Idle background of the application (relay poll, sync workers): %.1f"
                + " commits/s.",
                tasksPerPhase, phaseCap.toSeconds(), idleRate);
        line("");
        line("| actors | variant | transitions | transitions/s | p50 ms | p99 ms | commits/transition"
                + " | write txns/transition | relay rounds/transition | JVM CPU µs/transition"
                + " | PostgreSQL CPU µs/transition |");
        line("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Phase p : phases) {
            line("| %d | %s | %,d | %,.0f | %.2f | %.2f | %.2f | %.2f | %s | %.0f | %s |", p.actors(), p.variant(),
                    p.done(), p.rate(), p.latencies().ms(50), p.latencies().ms(99), (double) p.commits() / p.done(),
                    (double) p.writeTxns() / p.done(),
                    p.variant().startsWith("(c)") ? String.format(Locale.ROOT, "%.2f",
                            (double) p.relayRounds() / p.done()) : "-",
                    p.jvmCpuNanos() / 1e3 / p.done(),
                    p.pgCpuNanos() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", p.pgCpuNanos() / 1e3 / p.done()));
        }
        line("");
        line("| actors | (c)/(a) | (c)/(b) |");
        line("|---:|---:|---:|");
        for (int actors : CONCURRENCY) {
            double a = rate(phases, "(a)", actors);
            double b = rate(phases, "(b)", actors);
            double c = rate(phases, "(c)", actors);
            line("| %d | %.2f | %.2f |", actors, c / a, c / b);
        }
        line("");
        line("Where the CPU went, µs per transition (same windows): the driver threads (for (a)/(b) the JDBC"
                + " driver's work, for (c) only the call and the wait), the event loops (reactive PostgreSQL client,"
                + " the transition code, the relay's database work), the relay's Kafka client, the rest of the JVM"
                + " (the in-process broker, GC, JIT, pollers) and the PostgreSQL server.");
        line("");
        line("| actors | variant | driver | event loops | Kafka client | rest of JVM | PostgreSQL | total |");
        line("|---:|---|---:|---:|---:|---:|---:|---:|");
        for (Phase p : phases) {
            double n = p.done() * 1e3;
            long rest = p.jvmCpuNanos() - p.driverCpuNanos() - p.loopCpuNanos() - p.kafkaCpuNanos();
            line("| %d | %s | %.0f | %.0f | %.0f | %.0f | %s | %s |", p.actors(), p.variant(), p.driverCpuNanos() / n,
                    p.loopCpuNanos() / n, p.kafkaCpuNanos() / n, rest / n,
                    p.pgCpuNanos() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", p.pgCpuNanos() / n),
                    p.pgCpuNanos() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f",
                            (p.jvmCpuNanos() + p.pgCpuNanos()) / n));
        }
        line("");
        double a32 = rate(phases, "(a)", 32);
        double b32 = rate(phases, "(b)", 32);
        double c32 = rate(phases, "(c)", 32);
        line("");
        line("Targets at 32 actors: (c) >= 1.3 x (b): **%s** (%.2f x); (c) >= 0.45 x (a): **%s** (%.2f x).",
                c32 >= 1.3 * b32 ? "met" : "missed by " + pct(c32, 1.3 * b32), c32 / b32,
                c32 >= 0.45 * a32 ? "met" : "missed by " + pct(c32, 0.45 * a32), c32 / a32);
        line("");
    }

    private static String pct(double got, double wanted) {
        return String.format(Locale.ROOT, "%.0f%%", (wanted - got) / wanted * 100);
    }

    private static double rate(List<Phase> phases, String variant, int actors) {
        return phases.stream().filter(p -> p.variant().startsWith(variant) && p.actors() == actors)
                .mapToDouble(Phase::rate).findFirst().orElse(Double.NaN);
    }

    private record Run(int done, double seconds, Latencies latencies, long driverCpuNanos) {
    }

    /** Actors each take the next task and do one operation at a time, until the tasks or the time run out. */
    private Run run(String name, int actors, List<String> tasks, TaskOp op, Duration cap) throws Exception {
        AtomicInteger next = new AtomicInteger();
        long[] latencies = new long[tasks.size()];
        AtomicInteger done = new AtomicInteger();
        LongAdder driverCpu = new LongAdder();
        ExecutorService executor = Executors.newFixedThreadPool(actors);
        CyclicBarrier start = new CyclicBarrier(actors);
        long[] window = new long[2];
        long deadline = System.nanoTime() + cap.toNanos() + Duration.ofSeconds(5).toNanos();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < actors; i++) {
                workers.add(executor.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    synchronized (window) {
                        if (window[0] == 0) {
                            window[0] = System.nanoTime();
                        }
                    }
                    long stopAt = window[0] + cap.toNanos();
                    long cpuAtStart = CpuClock.currentThread();
                    int index;
                    while (System.nanoTime() < stopAt && (index = next.getAndIncrement()) < tasks.size()) {
                        long t0 = System.nanoTime();
                        op.run(tasks.get(index));
                        latencies[index] = System.nanoTime() - t0;
                        done.incrementAndGet();
                    }
                    driverCpu.add(CpuClock.currentThread() - cpuAtStart);
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(Math.max(1, deadline - System.nanoTime()) + Duration.ofSeconds(60).toNanos(),
                        TimeUnit.NANOSECONDS);
            }
            window[1] = System.nanoTime();
        } catch (Exception e) {
            throw new IllegalStateException(name + " with " + actors + " actors failed", e);
        } finally {
            executor.shutdownNow();
        }
        long[] taken = Arrays.stream(latencies).filter(l -> l > 0).toArray();
        return new Run(done.get(), (window[1] - window[0]) / 1e9, Latencies.of(taken, taken.length),
                driverCpu.sum());
    }

    /** Inserts a fresh batch of tasks in one statement (set-up, not measured). */
    private List<String> newTasks(int count, String stage) throws Exception {
        // Unique per run too: a PostgreSQL given by BATON_TEST_PG_URL keeps earlier runs' rows.
        String prefix = "B" + RUN + "." + (++batch) + "-";
        try (PreparedStatement ps = admin.prepareStatement("""
                INSERT INTO stage.task (id, repo, title, stage)
                SELECT ? || g, ?, 'benchmark task', ? FROM generate_series(1, ?) g""")) {
            ps.setString(1, prefix);
            ps.setString(2, REPO);
            ps.setString(3, stage);
            ps.setInt(4, count);
            ps.executeUpdate();
        }
        return IntStream.rangeClosed(1, count).mapToObj(i -> prefix + i).toList();
    }

    /** The same starting point for every phase: no dead rows, a checkpoint behind us. */
    private void settle() throws Exception {
        awaitOutboxDrained();
        one("VACUUM (ANALYZE) stage.task, stage.transition_lease, stage.outbox, stage.stage_history, stage.job,"
                + " bench.shedlock");
        one("CHECKPOINT");
    }

    private void awaitOutboxDrained() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (Long.parseLong(one("SELECT count(*) FROM stage.outbox WHERE sent_at IS NULL")) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the outbox relay did not drain in 120 s");
            }
            Thread.sleep(20);
        }
    }

    /** Relay rounds that carried this batch's events: each round marks its rows with its own now(). */
    private long relayRounds(List<String> tasks) throws Exception {
        String prefix = tasks.get(0).substring(0, tasks.get(0).indexOf('-') + 1);
        try (PreparedStatement ps = admin.prepareStatement(
                "SELECT count(DISTINCT sent_at) FROM stage.outbox WHERE aggregate_id LIKE ?")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private double idleCommitRate() throws Exception {
        long[] before = counters();
        long t0 = System.nanoTime();
        Thread.sleep(3_000);
        long[] after = counters();
        return (after[0] - before[0]) / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * {@code xact_commit} of the database and the next transaction id. A backend reports its
     * counts at most every 500 ms (PostgreSQL 14) or 1 s (15+) and an idle one may keep the rest,
     * so after that interval every pooled connection runs one statement, which sends what it
     * holds (these 40 commits fall in the next window: 0.004 per transition over 10,000).
     */
    private long[] counters() throws Exception {
        Thread.sleep(1_100);
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < BenchProfile.POOL_SIZE; i++) {
                Connection c = dataSource.getConnection();
                held.add(c);
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT 1");
                }
            }
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
        List<Uni<SqlConnection>> connections = IntStream.range(0, BenchProfile.POOL_SIZE)
                .mapToObj(i -> pool.getConnection()).toList();
        List<SqlConnection> reactive = Uni.join().all(connections).andFailFast().await().atMost(Duration.ofSeconds(30));
        try {
            Uni.join().all(reactive.stream().map(c -> c.query("SELECT 1").execute()).toList()).andFailFast()
                    .await().atMost(Duration.ofSeconds(30));
        } finally {
            reactive.forEach(c -> c.closeAndAwait());
        }
        Thread.sleep(300);
        try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT xact_commit, txid_snapshot_xmax(txid_current_snapshot())
                FROM pg_stat_database WHERE datname = current_database()""")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    // ------------------------------------------------------------------ part 2

    private void contention() throws Exception {
        List<String> tasks = newTasks(RACE_TASKS, "development");
        settle();
        long[] loserNanos = new long[RACE_TASKS * RACERS.length];
        long[] winnerNanos = new long[RACE_TASKS];
        int losers = 0;
        int winners = 0;
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        ExecutorService executor = Executors.newFixedThreadPool(RACERS.length);
        long t0 = System.nanoTime();
        try {
            for (String task : tasks) {
                CyclicBarrier start = new CyclicBarrier(RACERS.length);
                List<Future<long[]>> answers = new ArrayList<>();
                for (String racer : RACERS) {
                    Actor actor = Actor.fromKey(racer).orElseThrow();
                    answers.add(executor.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        long began = System.nanoTime();
                        TransitionResult result = transitions.transition(new TransitionRequest(task, "development",
                                "review", actor, "race", null)).await().atMost(Duration.ofSeconds(60));
                        long took = System.nanoTime() - began;
                        outcomes.computeIfAbsent(result.outcome().key(), k -> new AtomicInteger()).incrementAndGet();
                        return new long[] {result.outcome() == Outcome.ADVANCED ? 1 : 0, took};
                    }));
                }
                for (Future<long[]> answer : answers) {
                    long[] a = answer.get(120, TimeUnit.SECONDS);
                    if (a[0] == 1) {
                        winnerNanos[winners++] = a[1];
                    } else {
                        loserNanos[losers++] = a[1];
                    }
                }
            }
        } finally {
            executor.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        awaitOutboxDrained();
        int duplicates = 0;
        int missing = 0;
        for (String task : tasks) {
            int applied = probe.applied(task);
            duplicates += Math.max(0, applied - 1);
            missing += applied == 0 ? 1 : 0;
        }
        String prefix = tasks.get(0).substring(0, tasks.get(0).indexOf('-') + 1) + "%";
        long events = count("SELECT count(*) FROM stage.outbox WHERE aggregate_id LIKE ? AND event_type = 'StageAdvanced'",
                prefix);
        long history = count("SELECT count(*) FROM stage.stage_history WHERE task_id LIKE ? AND kind = 'advance'", prefix);
        long atReview = count("SELECT count(*) FROM stage.task WHERE id LIKE ? AND stage = 'review'", prefix);
        Latencies lost = Latencies.of(loserNanos, losers);
        Latencies won = Latencies.of(winnerNanos, winners);
        System.out.printf(Locale.ROOT, "bench part 2: %d rounds in %.1f s, outcomes %s, duplicates %d, losers p50 %.2f"
                + " p99 %.2f ms%n", RACE_TASKS, seconds, outcomes, duplicates, lost.ms(50), lost.ms(99));

        line("#### 2. Contention");
        line("");
        line("%d actors (%s) released by a barrier into `development -> review` (the counting probe effect, 5 ms)"
                + " on each of %,d tasks, one task after another, through `TransitionService`.",
                RACERS.length, String.join(", ", RACERS), RACE_TASKS);
        line("");
        line("| rounds | effects run | duplicate effects | missing effects | StageAdvanced events | history rows"
                + " | outcomes | losers p50 ms | losers p99 ms | losers max ms | winner p50 ms | winner p99 ms |");
        line("|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
        line("| %,d | %,d | **%d** | %d | %,d | %,d | %s | %.2f | %.2f | %.2f | %.2f | %.2f |", RACE_TASKS,
                tasks.stream().mapToInt(probe::applied).sum(), duplicates, missing, events, history,
                outcomes.entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")),
                lost.ms(50), lost.ms(99), lost.maxMs(), won.ms(50), won.ms(99));
        line("");
        line("Target losers p99 <= 5 ms: **%s**.", lost.ms(99) <= 5.0 ? "met"
                : String.format(Locale.ROOT, "missed by %.2f ms", lost.ms(99) - 5.0));
        line("");
        // Correctness, not timing: the one thing this benchmark asserts.
        assertEquals(0, duplicates, "duplicate effects");
        assertEquals(0, missing, "tasks whose effect never ran");
        assertEquals(RACE_TASKS, events, "one StageAdvanced event per task");
        assertEquals(RACE_TASKS, history, "one history row per task");
        assertEquals(RACE_TASKS, atReview, "every task at review");
    }

    // ------------------------------------------------------------------ part 4

    private void footprint(BatonTestResource.Servers servers) throws Exception {
        Path root = root();
        Map<String, String> env = Map.of("BATON_PG_URL", servers.pgUrl(), "BATON_PG_USER", servers.pgUser(),
                "BATON_PG_PASSWORD", servers.pgPassword(), "KAFKA_BOOTSTRAP_SERVERS", servers.kafkaBootstrap());
        Footprint footprint = new Footprint(root, root.resolve("stage-service/target/bench"), env);
        String footprintLoad = loadAverage();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> lean = List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "-XX:ReservedCodeCacheSize=32m", "-XX:MaxMetaspaceSize=128m");
        List<Footprint.FlagSet> flagSets = new ArrayList<>();
        flagSets.add(new Footprint.FlagSet("lean", java, lean));
        // A newer JDK for its AOT cache (JEP 483/514/515): the services stay Java 17 code.
        Path jdk = Path.of(System.getProperty("baton.bench.aot-jdk", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java");
        if (Files.isExecutable(jdk)) {
            flagSets.add(new Footprint.FlagSet("lean, JDK 25", jdk.toString(), lean));
            flagSets.add(new Footprint.FlagSet("lean+aot recording, JDK 25", jdk.toString(), with(lean, Footprint.AOT_RECORD)));
            flagSets.add(new Footprint.FlagSet("lean+aot, JDK 25", jdk.toString(), with(lean, Footprint.AOT)));
        }
        int rounds = Integer.getInteger("baton.bench.footprint-rounds", 3);
        // The recording run first, once (a second would record from nothing again); then the rounds,
        // each running every other flag set in turn, so a change in the machine's load hits them all.
        Map<Footprint.FlagSet, List<List<Footprint.Sample>>> runs = new LinkedHashMap<>();
        flagSets.forEach(set -> runs.put(set, new ArrayList<>()));
        for (Footprint.FlagSet set : flagSets) {
            if (set.flags().contains(Footprint.AOT_RECORD)) {
                runs.get(set).add(footprint.measure(set));
            }
        }
        for (int round = 0; round < rounds; round++) {
            for (Footprint.FlagSet set : flagSets) {
                if (!set.flags().contains(Footprint.AOT_RECORD)) {
                    runs.get(set).add(footprint.measure(set));
                }
            }
        }
        List<Footprint.Sample> samples = new ArrayList<>();
        runs.values().forEach(r -> samples.addAll(Footprint.medians(r)));
        line("#### 4. Footprint");
        line("");
        line("Each packaged service (`<service>/target/quarkus-app/quarkus-run.jar`) started alone, one after"
                + " another, against this run's PostgreSQL and broker; ready = process start to the first 200 of"
                + " `/q/health/ready`; CPU to ready = the process's user + system time at that moment (what the start"
                + " costs whatever the machine's load); RSS = `VmRSS` after all of them idled together %d s; the"
                + " median of %d runs (the recording run: one). Load average at the start of part 4: %s. Flag sets:",
                5, rounds, footprintLoad);
        line("");
        flagSets.forEach(set -> line("- `%s` (`%s`): `%s`", set.name(), set.java(), String.join(" ", set.flags())
                .replace(Footprint.APPCDS, "-XX:SharedArchiveFile=target/quarkus-app/app-cds.jsa")
                .replace(Footprint.AOT_RECORD, "-XX:AOTCacheOutput=<service>.aot")
                .replace(Footprint.AOT, "-XX:AOTCache=<service>.aot")));
        line("");
        line("| service | flags | ready ms | CPU to ready ms | Quarkus \"started in\" | RSS idle MB | ready <= 2 s | RSS <= 180 MB |");
        line("|---|---|---:|---:|---:|---:|---|---|");
        for (Footprint.Sample s : samples) {
            if (s.problem() != null) {
                line("| %s | %s | - | - | - | - | %s | |", s.service(), s.flagSet(), s.problem());
                continue;
            }
            line("| %s | %s | %.0f | %d | %s | %.0f | %s | %s |", s.service(), s.flagSet(), s.readyMs(), s.cpuToReadyMs(),
                    s.quarkusStarted(),
                    s.rssIdleKb() / 1024.0, s.readyMs() <= 2000 ? "met" : "missed by " + Math.round(s.readyMs() - 2000)
                            + " ms", s.rssIdleKb() / 1024.0 <= 180 ? "met"
                            : String.format(Locale.ROOT, "missed by %.0f MB", s.rssIdleKb() / 1024.0 - 180));
            System.out.printf(Locale.ROOT, "bench part 4: %-17s %-26s ready %5.0f ms, CPU %5d ms, RSS %4.0f MB%n",
                    s.service(), s.flagSet(), s.readyMs(), s.cpuToReadyMs(), s.rssIdleKb() / 1024.0);
        }
        line("");
    }

    private static List<String> with(List<String> flags, String flag) {
        List<String> all = new ArrayList<>(flags);
        all.add(flag);
        return all;
    }

    // ------------------------------------------------------------------ part 5

    private void reaperSweep() throws Exception {
        long t0 = System.nanoTime();
        one("INSERT INTO stage.runner (runner_id, boot_id) VALUES ('bench-runner', 'bench-boot')"
                + " ON CONFLICT (runner_id) DO NOTHING");
        one("INSERT INTO stage.task (id, repo, title, stage) SELECT 'R" + RUN + "-' || g, 'acme/reaper-bench', 'sweep task',"
                + " 'development' FROM generate_series(1, " + RUNNING_JOBS + ") g");
        one("INSERT INTO stage.job (task_id, stage, status, runner_id, runner_boot_id, queued_at, started_at)"
                + " SELECT 'R" + RUN + "-' || g, 'development', 'running', 'bench-runner', 'bench-boot',"
                + " now() - interval '2 hours', now() - (g % 5400) * interval '1 second'"
                + " FROM generate_series(1, " + RUNNING_JOBS + ") g");
        // The history a real database has beside them: three finished jobs per task (earlier stages).
        one("INSERT INTO stage.job (task_id, stage, status, runner_id, runner_boot_id, queued_at, started_at,"
                + " exit_code, exit_at, finished_at)"
                + " SELECT 'R" + RUN + "-' || g, s.stage, 'done', 'bench-runner', 'bench-boot', now() - interval '3 days',"
                + " now() - interval '3 days', 0, now() - interval '2 days', now() - interval '2 days'"
                + " FROM generate_series(1, " + RUNNING_JOBS + ") g,"
                + " (VALUES ('analysis'), ('architecture'), ('development')) s (stage)");
        // 1% of them in a transition whose owner process is gone: the lease join and its liveness test have rows.
        one("INSERT INTO stage.instance (boot_id, pid, host) VALUES ('00000000-0000-0000-0000-00000000be0c', 1,"
                + " 'bench-gone') ON CONFLICT DO NOTHING");
        one("INSERT INTO stage.transition_lease (task_id, token, owner_actor, owner_instance, owner_pid, owner_host,"
                + " from_stage, to_stage) SELECT 'R" + RUN + "-' || g, nextval('stage.lease_token_seq'), 'monitor',"
                + " '00000000-0000-0000-0000-00000000be0c', 1, 'bench-gone', 'development', 'review'"
                + " FROM generate_series(1, " + RUNNING_JOBS + ", 100) g");
        one("VACUUM (ANALYZE) stage.job, stage.task, stage.transition_lease, stage.runner, stage.instance");
        double setup = (System.nanoTime() - t0) / 1e9;
        long running = Long.parseLong(one("SELECT count(*) FROM stage.job WHERE status = 'running'"));

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create(base + "jobs?status=running");
        ObjectMapper json = new ObjectMapper();
        List<Double> sweeps = new ArrayList<>();
        int rows = -1;
        long bytes = 0;
        for (int i = 0; i < SWEEPS; i++) {
            long s0 = System.nanoTime();
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            sweeps.add((System.nanoTime() - s0) / 1e6);
            assertEquals(200, response.statusCode(), "GET /jobs?status=running");
            bytes = response.body().length;
            rows = json.readTree(response.body()).size();
        }
        assertEquals(running, rows, "every running job in the sweep's answer");
        String plan;
        try (Statement s = admin.createStatement();
             ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + JobRepository.RUNNING)) {
            StringBuilder text = new StringBuilder();
            while (rs.next()) {
                text.append(rs.getString(1)).append('\n');
            }
            plan = text.toString();
        }
        List<Double> sorted = sweeps.stream().sorted().toList();
        System.out.printf(Locale.ROOT, "bench part 5: %d running jobs, sweeps %s ms%n", rows, sweeps.stream()
                .map(d -> String.format(Locale.ROOT, "%.0f", d)).toList());
        line("#### 5. Reaper sweep");
        line("");
        line("%,d running jobs beside %,d finished ones (1%% of their tasks under a lease of a dead owner), set up in"
                + " %.1f s. A sweep is the"
                + " reaper's one read: `GET /jobs?status=running` over HTTP, the whole JSON answer (%,d rows, %.1f MB)"
                + " received and parsed afterwards.", running, 3L * RUNNING_JOBS, setup, rows, bytes / 1e6);
        line("");
        line("| sweeps | min ms | median ms | max ms | target < 2 s |");
        line("|---:|---:|---:|---:|---|");
        line("| %d | %.0f | %.0f | %.0f | %s |", SWEEPS, sorted.get(0), sorted.get(sorted.size() / 2),
                sorted.get(sorted.size() - 1), sorted.get(sorted.size() - 1) < 2000 ? "met"
                        : String.format(Locale.ROOT, "missed by %.0f ms", sorted.get(sorted.size() - 1) - 2000));
        line("");
        line("The plan of the sweep's query (`JobRepository.RUNNING`):");
        line("");
        line("```");
        md.append(plan);
        line("```");
        line("");
    }

    // ------------------------------------------------------------------ output

    private void line(String format, Object... args) {
        md.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    /** Replaces the generated section of docs/benchmarks.md (text outside the markers is kept). */
    private void write() throws Exception {
        String section = md.toString();
        System.out.println("\n" + section);
        Path file = root().resolve("docs/benchmarks.md");
        String begin = "<!-- bench:" + label + ":begin (written by TransitionBenchmark) -->";
        String end = "<!-- bench:" + label + ":end -->";
        String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n\n";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        String block = begin + "\n" + section + end;
        text = from >= 0 && to > from ? text.substring(0, from) + block + text.substring(to + end.length())
                : text + "\n" + block + "\n";
        Files.writeString(file, text);
        System.out.println("bench: wrote " + file);
    }

    private static Path root() {
        return Path.of(System.getProperty("baton.bench.root", "..")).toAbsolutePath().normalize();
    }

    private String one(String sql) throws Exception {
        try (Statement s = admin.createStatement()) {
            if (!s.execute(sql)) {
                return null;
            }
            try (ResultSet rs = s.getResultSet()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private long count(String sql, String parameter) throws Exception {
        try (PreparedStatement ps = admin.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (Exception e) {
            return "n/a";
        }
    }

    private static String memTotalMb() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> String.valueOf(Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024)).findFirst()
                    .orElse("n/a");
        } catch (Exception e) {
            return "n/a";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("n/a");
        } catch (Exception e) {
            return "n/a";
        }
    }
}
