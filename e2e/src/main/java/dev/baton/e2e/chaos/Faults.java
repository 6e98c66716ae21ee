package dev.baton.e2e.chaos;

import dev.baton.e2e.BatonSystem;
import dev.baton.infra.fake.FakeOutside;
import dev.baton.infra.fake.WebhookPayloads;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The faults of a chaos run, each injected for real at a random moment, one at a time: PostgreSQL
 * and the Kafka broker restarted on the same data, a stage-service replica SIGKILLed while Gitea
 * holds its merge (inside the effect), one SIGTERMed there (it drains: the merge commits, then it
 * exits), a notifier and a reaper replica SIGKILLed, Telegram answering 429 and 5xx, Gitea answering
 * 5xx, and a merge answered only after the client gave up. After each, the time until every
 * instance is ready again is measured.
 */
final class Faults {

    private static final Logger LOG = Logger.getLogger(Faults.class.getName());

    enum Kind {
        POSTGRES_RESTART, KAFKA_RESTART, STAGE_KILLED_IN_MERGE, STAGE_SIGTERMED_IN_MERGE, NOTIFIER_KILLED,
        REAPER_KILLED, TELEGRAM_429, TELEGRAM_5XX, GITEA_5XX, MERGE_PAST_TIMEOUT
    }

    /**
     * One fault as it happened: when, whether it could be injected, how long until all was ready
     * again, what was seen, and what went wrong while it lasted (a health answer slower than its
     * bound, a gateway taking a webhook it cannot publish, an outbox slow to drain).
     */
    record Outcome(Kind kind, Instant at, boolean injected, Duration readyAfter, String note, List<String> problems) {
    }

    static final Duration READY = Duration.ofSeconds(120);
    /** Health answers within a second, always; without its database a check makes one connection attempt (1.0 s measured). */
    static final Duration ANSWER = Duration.ofSeconds(1);
    static final Duration ANSWER_WITHOUT_DATABASE = Duration.ofSeconds(2);
    /** The gateway's publish timeout (4 s) and a margin: a webhook it cannot publish is refused within it. */
    static final Duration REFUSED_WITHIN = Duration.ofSeconds(6);
    /** The outbox drains within this of the broker's return. */
    static final Duration DRAINED_WITHIN = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** How long a stage-service kill waits for a merge to be in flight before it gives up. */
    private static final Duration MERGE_WAIT = Duration.ofSeconds(150);
    /**
     * How long Gitea holds a merge's answer while its owner is SIGTERMed: within the run's Gitea
     * timeout and far within the drain (quarkus.shutdown.timeout + BATON_LIVENESS_DRAIN_TIMEOUT).
     */
    private static final Duration HELD_ANSWER = Duration.ofSeconds(4);
    /** stage-service's terminationGracePeriodSeconds (deploy/k8s): it must have exited by then. */
    private static final Duration STAGE_GRACE = Duration.ofSeconds(75);

    private final BatonSystem system;
    private final FakeOutside outside;
    private final Database database;
    private final ChaosLoad load;
    private final dev.baton.e2e.PipelineDriver driver;
    private final Random random;
    private final Duration giteaTimeout;
    private final BlockingQueue<String> merges = new LinkedBlockingQueue<>();

    Faults(BatonSystem system, Database database, ChaosLoad load, Random random, Duration giteaTimeout) {
        this.system = system;
        this.outside = system.outside();
        this.database = database;
        this.load = load;
        this.driver = system.driver();
        this.random = random;
        this.giteaTimeout = giteaTimeout;
        outside.onMergeRequest(merges::offer);
    }

    /** Every kind once and {@code stageKills} kills inside a merge in all, in a random order. */
    List<Kind> plan(int stageKills) {
        List<Kind> plan = new ArrayList<>(List.of(Kind.values()));
        for (int kill = 1; kill < stageKills; kill++) {
            plan.add(Kind.STAGE_KILLED_IN_MERGE);
        }
        Collections.shuffle(plan, random);
        return plan;
    }

    /** Injects the plan's faults spread over {@code window}, each after a random pause; the load runs on meanwhile. */
    List<Outcome> run(List<Kind> plan, Duration window) throws Exception {
        List<Outcome> outcomes = new ArrayList<>();
        long slot = window.toMillis() / plan.size();
        for (Kind kind : plan) {
            Thread.sleep(slot / 2 + (long) (random.nextDouble() * slot / 2));
            outcomes.add(inject(kind));
        }
        return outcomes;
    }

    private Outcome inject(Kind kind) throws Exception {
        Instant at = Instant.now();
        String note = "";
        boolean injected = true;
        List<String> problems = new ArrayList<>();
        // When the fault ended (the server or process started again): "ready after" counts from here.
        long[] restored = {System.nanoTime()};
        switch (kind) {
            case POSTGRES_RESTART -> {
                system.postgresCrash(() -> probeFor(Duration.ofSeconds(4), ANSWER_WITHOUT_DATABASE, problems),
                        Duration.ofSeconds(60));
                restored[0] = System.nanoTime();
            }
            case KAFKA_RESTART -> note = kafkaOutage(problems, restored);
            case STAGE_KILLED_IN_MERGE -> {
                note = killInsideMerge(restored);
                injected = note.startsWith("killed");
            }
            case STAGE_SIGTERMED_IN_MERGE -> {
                note = terminateInsideMerge(problems, restored);
                injected = note.startsWith("SIGTERMed");
            }
            case NOTIFIER_KILLED -> note = killOneOf("notifier-service", restored);
            case REAPER_KILLED -> note = killOneOf("reaper-service", restored);
            case TELEGRAM_429 -> outside.telegramTooManyRequests(3, 7);
            case TELEGRAM_5XX -> outside.telegramServerErrors(5);
            case GITEA_5XX -> outside.giteaServerErrors(2);
            case MERGE_PAST_TIMEOUT -> {
                merges.clear();
                outside.holdMerges(giteaTimeout.plusSeconds(4));
                String merge = merges.poll(MERGE_WAIT.toSeconds(), TimeUnit.SECONDS);
                injected = merge != null;
                note = injected ? "held " + merge : "no merge in " + MERGE_WAIT;
                if (injected) {
                    Thread.sleep(giteaTimeout.plusSeconds(5).toMillis());
                }
                outside.holdMerges(Duration.ZERO);
            }
        }
        awaitAllReady();
        Outcome outcome = new Outcome(kind, at, injected, Duration.ofNanos(System.nanoTime() - restored[0]), note, problems);
        LOG.info("fault " + kind + " at " + at + (injected ? "" : " NOT INJECTED") + ": " + note + "; all ready after "
                + outcome.readyAfter().toMillis() + " ms" + (problems.isEmpty() ? "" : "; problems: " + problems));
        return outcome;
    }

    /**
     * The broker SIGKILLed for 10 s, then started again on the same port and log directories. While
     * it is away every instance's health answers within {@link #ANSWER}, stage-service stays ready
     * (its outbox holds what it commits), the gateway is not ready and refuses a new work item's
     * webhook with 503 within its publish timeout; once the broker is back the outbox drains within
     * {@link #DRAINED_WITHIN}, the refused webhook had published nothing, and Plane's redelivery of
     * the same delivery is accepted (the load then drives that item like the others).
     */
    private String kafkaOutage(List<String> problems, long[] restored) throws Exception {
        ChaosLoad.Item item = load.next();
        String delivery = UUID.randomUUID().toString();
        String created = WebhookPayloads.planeV2Created(UUID.randomUUID().toString(), item.planeId(), ChaosLoad.PROJECT,
                item.sequence());
        long[] refusal = new long[2];
        system.kafkaOutage(() -> {
            probeFor(Duration.ofSeconds(10), ANSWER, problems);
            for (String instance : system.instances()) {
                int ready = status(instance, "/q/health/ready");
                boolean gateway = instance.startsWith("webhook-gateway");
                if (gateway ? ready != 503 : instance.startsWith("stage-service") && ready != 200) {
                    problems.add(instance + " answered " + ready + " to readiness without a broker");
                }
            }
            long sent = System.nanoTime();
            try {
                refusal[0] = driver.planeDelivery(delivery, created).status();
            } catch (Exception e) {
                problems.add("the gateway did not answer a webhook without a broker: " + e);
            }
            refusal[1] = (System.nanoTime() - sent) / 1_000_000;
        }, Duration.ofSeconds(90));
        long back = System.nanoTime();
        restored[0] = back;
        if (refusal[0] != 503 || refusal[1] > REFUSED_WITHIN.toMillis()) {
            problems.add("a webhook without a broker answered " + refusal[0] + " in " + refusal[1] + " ms");
        }
        long drained = awaitOutboxDrained(back, problems);
        if (drained > DRAINED_WITHIN.toMillis()) {
            problems.add("the outbox drained " + drained + " ms after the broker returned");
        }
        if (database.count("SELECT count(*) FROM stage.task WHERE id = ?", item.key()) != 0) {
            problems.add("the webhook refused without a broker was applied all the same: " + item.key());
        }
        // Plane retries a refused delivery for a while; the gateway takes it once it is ready again.
        int redelivered = 0;
        for (long until = System.nanoTime() + READY.toNanos(); redelivered != 202 && System.nanoTime() < until; ) {
            redelivered = driver.planeDelivery(delivery, created).status();
            if (redelivered != 202) {
                Thread.sleep(1_000);
            }
        }
        if (redelivered != 202) {
            problems.add("Plane's redelivery after the broker returned answered " + redelivered + " for " + READY);
        }
        load.adopt(item);
        return "webhook refused with " + refusal[0] + " in " + refusal[1] + " ms, redelivery " + redelivered
                + "; outbox drained " + drained + " ms after the broker returned";
    }

    /** Milliseconds from {@code back} until no outbox row is unsent (gives up after 60 s). */
    private long awaitOutboxDrained(long back, List<String> problems) throws InterruptedException {
        while (true) {
            long drained = (System.nanoTime() - back) / 1_000_000;
            try {
                if (database.count(ChaosReport.UNSENT_OUTBOX) == 0 || drained > 60_000) {
                    return drained;
                }
            } catch (SQLException e) {
                problems.add("no database after the broker returned: " + e.getMessage());
                return drained;
            }
            Thread.sleep(100);
        }
    }

    /** Probes every instance's readiness and liveness for {@code length}; an answer slower than {@code bound} is a problem. */
    private void probeFor(Duration length, Duration bound, List<String> problems) {
        long end = System.nanoTime() + length.toNanos();
        while (System.nanoTime() < end) {
            for (String instance : system.instances()) {
                for (String check : List.of("/q/health/ready", "/q/health/live")) {
                    long start = System.nanoTime();
                    int status = status(instance, check);
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    if (status < 0 || millis > bound.toMillis()) {
                        problems.add(instance + check + (status < 0 ? " did not answer" : " took " + millis + " ms"));
                    }
                }
            }
        }
    }

    /** The HTTP status of a health check, or -1 when there was no answer within 5 s. */
    private int status(String instance, String check) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(system.service(instance).managementUrl() + check))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The stage-service replica that owns the lease of a merge's work item (by the lease's pid), if any. */
    private record MergeOwner(String item, String instance) {
    }

    /** Waits for the next merge request (while merges are held) and finds its lease owner; null if none came. */
    private MergeOwner nextMergeOwner() throws Exception {
        String merge = merges.poll(MERGE_WAIT.toSeconds(), TimeUnit.SECONDS);
        if (merge == null) {
            return null;
        }
        String item = itemOf(merge);
        String pid = database.pairs("SELECT task_id, owner_pid FROM stage.transition_lease WHERE task_id = ?", item).get(item);
        for (String instance : system.instancesOf("stage-service")) {
            if (pid != null && Long.parseLong(pid) == system.service(instance).pid()) {
                return new MergeOwner(item, instance);
            }
        }
        return new MergeOwner(item, null);
    }

    /**
     * Gitea takes the next merge at once but holds its answer; the stage-service replica that owns the
     * work item's lease (by the lease's pid) is SIGKILLed inside the effect, then started again.
     */
    private String killInsideMerge(long[] restored) throws Exception {
        merges.clear();
        outside.holdMerges(Duration.ofSeconds(60));
        try {
            MergeOwner owner = nextMergeOwner();
            if (owner == null || owner.instance() == null) {
                return owner == null ? "no merge in " + MERGE_WAIT : "no lease owner found for " + owner.item();
            }
            system.killAndRestart(owner.instance(), READY, () -> {
                outside.holdMerges(Duration.ZERO);
                restored[0] = System.nanoTime();
            });
            return "killed " + owner.instance() + " inside the merge of " + owner.item();
        } finally {
            outside.holdMerges(Duration.ZERO);
        }
    }

    /**
     * Gitea takes the next merge at once and answers it {@link #HELD_ANSWER} later; the replica that owns
     * the work item's lease is SIGTERMed inside the effect. It drains: the answer arrives while it still
     * holds its liveness lock, the transition commits once by that owner (no survivor reclaims the lease),
     * and only then does the replica exit by itself, within its grace period. Then it is started again.
     */
    private String terminateInsideMerge(List<String> problems, long[] restored) throws Exception {
        merges.clear();
        outside.holdMerges(HELD_ANSWER);
        try {
            MergeOwner owner = nextMergeOwner();
            if (owner == null || owner.instance() == null) {
                return owner == null ? "no merge in " + MERGE_WAIT : "no lease owner found for " + owner.item();
            }
            String reclaims = "SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? AND event_type = 'LeaseReclaimed'";
            long reclaimedBefore = database.count(reclaims, owner.item());
            long[] merged = {-1};
            long[] reclaimed = {-1};
            BatonSystem.Terminated end = system.terminateAndRestart(owner.instance(), STAGE_GRACE, READY, () -> {
                // Read while the replica is down: what its drain left behind.
                try {
                    merged[0] = database.count("SELECT count(*) FROM stage.transition_effect WHERE task_id = ?"
                            + " AND effect = 'merge_pr' AND status = 'done'", owner.item());
                    reclaimed[0] = database.count(reclaims, owner.item()) - reclaimedBefore;
                } catch (SQLException e) {
                    problems.add("no database after the SIGTERM: " + e.getMessage());
                }
                outside.holdMerges(Duration.ZERO);
                restored[0] = System.nanoTime();
            });
            if (!end.byItself()) {
                problems.add(owner.instance() + " did not exit within " + STAGE_GRACE + " of its SIGTERM (SIGKILLed)");
            }
            if (merged[0] != 1) {
                problems.add("the merge effect of " + owner.item() + " was not done when its owner exited");
            }
            if (reclaimed[0] != 0) {
                problems.add("the lease of " + owner.item() + " was reclaimed: the drain did not keep it");
            }
            return "SIGTERMed " + owner.instance() + " inside the merge of " + owner.item() + ": exited "
                    + (end.byItself() ? "by itself with " + end.code() : "only when SIGKILLed") + " after "
                    + end.after().toMillis() + " ms, the merge " + (merged[0] == 1 ? "committed" : "NOT committed");
        } finally {
            outside.holdMerges(Duration.ZERO);
        }
    }

    private String killOneOf(String service, long[] restored) throws Exception {
        List<String> instances = system.instancesOf(service);
        String victim = instances.get(random.nextInt(instances.size()));
        system.killAndRestart(victim, READY, () -> {
            pause(Duration.ofSeconds(2));
            restored[0] = System.nanoTime();
        });
        return "killed " + victim;
    }

    /** The work item whose pull request {@code repo#number} is. */
    private String itemOf(String merge) {
        int number = Integer.parseInt(merge.substring(merge.indexOf('#') + 1));
        for (Map<String, Object> pull : outside.pullRequests(WebhookPayloads.REPO)) {
            if ((Integer) pull.get("number") == number) {
                return String.valueOf(((Map<?, ?>) pull.get("head")).get("ref")).replaceFirst("^baton/", "");
            }
        }
        throw new IllegalStateException("no pull request " + merge);
    }

    /** Waits until every instance answers ready. */
    private void awaitAllReady() throws InterruptedException {
        for (String instance : system.instances()) {
            system.service(instance).awaitReady(READY);
        }
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
