package dev.baton.e2e.chaos;

import dev.baton.e2e.BatonSystem;
import dev.baton.infra.LocalInfra;
import dev.baton.infra.fake.FakeOutside;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Issue 14's chaos run: the packaged services as processes — 2 stage-service (behind a
 * {@link dev.baton.e2e.Balancer}), 2 reaper-service, 2 notifier-service, the gateway and the
 * agent-runner — on the real PostgreSQL and Kafka broker with the fake outside world; work items
 * created by signed Plane webhooks at a steady rate and driven through the whole pipeline in one
 * chat at Telegram's real 20 messages a minute; the {@link Faults} injected at random moments
 * meanwhile. Then it waits for everything to settle and checks the end state ({@link ChaosReport}).
 * Bounded: every wait has a limit and the run stops by itself. Loopback only.
 */
public final class ChaosRun {

    private static final Logger LOG = Logger.getLogger(ChaosRun.class.getName());

    /** What to run: how long the load lasts, how often an item is created, the seed, kills inside a merge. */
    public record Settings(Duration load, Duration every, long seed, int stageKills, Duration settle) {
    }

    /** stage-service's Gitea timeout in the run: a held merge answer passes it. */
    static final Duration GITEA_TIMEOUT = Duration.ofSeconds(8);

    private ChaosRun() {
    }

    /** Starts the system, runs the load and the faults, settles, checks; the system is stopped after. */
    public static ChaosReport run(Path root, Path logs, Settings settings) throws Exception {
        Map<String, String> env = Map.of(
                "BATON_GITEA_TIMEOUT", GITEA_TIMEOUT.toSeconds() + "s",
                "BATON_RECOVERY_INTERVAL", "2s",
                "BATON_FINALIZER_INTERVAL", "2s",
                "BATON_REAPER_INTERVAL", "5s");
        Map<String, Integer> replicas = Map.of("stage-service", 2, "reaper-service", 2, "notifier-service", 2);
        Instant started = Instant.now();
        try (BatonSystem system = BatonSystem.start(root, logs, env, replicas, Faults.READY)) {
            Duration startup = Duration.between(started, Instant.now());
            Database database = new Database(system.jdbcUrl());
            Random random = new Random(settings.seed());
            ChaosLoad load = new ChaosLoad(system.driver(), system.outside(), database);
            Faults faults = new Faults(system, database, load, random, GITEA_TIMEOUT);
            AtomicBoolean loading = new AtomicBoolean(true);
            AtomicBoolean creating = new AtomicBoolean(true);
            AtomicLong peakBacklog = new AtomicLong();
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                Instant loadEnd = Instant.now().plus(settings.load());
                Future<?> driving = threads.submit(() -> drive(load, settings, loading, creating));
                Future<?> sampling = threads.submit(() -> sampleBacklog(database, peakBacklog, loading));
                // Items keep coming until the load's time is up and every fault is through (a kill inside a
                // merge needs an item at its merge).
                List<Faults.Outcome> outcomes = faults.run(faults.plan(settings.stageKills()), settings.load());
                awaitUntil(loadEnd);
                creating.set(false);
                LOG.info("load over: " + load.items().size() + " items created; settling");
                Instant settleFrom = Instant.now();
                Instant settleBy = settleFrom.plus(settings.settle());
                while (!(load.allDone() && settled(database, system.outside(), load)) && Instant.now().isBefore(settleBy)) {
                    Thread.sleep(1_000);
                }
                LOG.info("settled after " + Duration.between(settleFrom, Instant.now()).toSeconds() + " s; left: "
                        + load.unfinished());
                Duration drained = Duration.between(settleFrom, Instant.now());
                loading.set(false);
                driving.get();
                sampling.get();
                return ChaosReport.check(settings, system, database, load, outcomes, startup, peakBacklog.get(), drained);
            } finally {
                loading.set(false);
                threads.shutdownNow();
            }
        }
    }

    /** Creates an item every {@code every} while {@code creating}, and ticks the load each second while {@code loading}. */
    private static Void drive(ChaosLoad load, Settings settings, AtomicBoolean loading, AtomicBoolean creating)
            throws InterruptedException {
        Instant next = Instant.now();
        Instant report = Instant.now().plusSeconds(30);
        while (loading.get()) {
            if (creating.get() && Instant.now().isAfter(next)) {
                load.create();
                next = next.plus(settings.every());
            }
            load.tick();
            if (Instant.now().isAfter(report)) {
                LOG.info(load.items().size() + " items, " + load.done().size() + " done; the others at " + load.unfinished());
                report = Instant.now().plusSeconds(30);
            }
            Thread.sleep(1_000);
        }
        return null;
    }

    /** The notifier's backlog (cards waiting for an edit, alerts waiting to go), sampled every 2 s. */
    private static Void sampleBacklog(Database database, AtomicLong peak, AtomicBoolean loading)
            throws InterruptedException {
        while (loading.get()) {
            try {
                peak.accumulateAndGet(database.count(ChaosReport.NOTIFIER_BACKLOG), Math::max);
            } catch (java.sql.SQLException noDatabase) {
                // A PostgreSQL restart: the next sample.
            }
            Thread.sleep(2_000);
        }
        return null;
    }

    /** The outbox drained, the notifier has nothing waiting, and every item's card shows its last stage. */
    private static boolean settled(Database database, FakeOutside outside, ChaosLoad load) {
        try {
            if (database.count(ChaosReport.UNSENT_OUTBOX) > 0 || database.count(ChaosReport.NOTIFIER_BACKLOG) > 0) {
                return false;
            }
        } catch (java.sql.SQLException noDatabase) {
            return false;
        }
        List<String> messages = outside.messages(FakeOutside.TELEGRAM_CHAT);
        return load.items().stream().allMatch(item -> ChaosReport.cards(messages, item.key()).stream()
                .anyMatch(card -> card.contains(ChaosReport.LAST_STAGE_ON_CARD)));
    }

    private static void awaitUntil(Instant when) throws InterruptedException {
        long millis = Duration.between(Instant.now(), when).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    /**
     * {@code ChaosRun <repo-root> [minutes] [seed]}: the soak of {@code ./baton chaos}. Prints the
     * report, rewrites its section of {@code docs/reliability.md}, exits 1 if any check failed.
     */
    public static void main(String[] args) throws Exception {
        LocalInfra.configureLogging();
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : System.currentTimeMillis();
        // About one kill inside a merge a minute, and at least the ten the soak promises.
        Settings settings = new Settings(Duration.ofMinutes(minutes), Duration.ofSeconds(10), seed,
                Math.max(10, minutes), Duration.ofMinutes(10));
        ChaosReport report = run(root, root.resolve("e2e/target/chaos-logs"), settings);
        String section = report.markdown();
        System.out.println(section);
        report.write(root.resolve("docs/reliability.md"));
        System.exit(report.violations().isEmpty() ? 0 : 1);
    }
}
