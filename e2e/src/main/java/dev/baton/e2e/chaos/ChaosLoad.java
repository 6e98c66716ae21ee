package dev.baton.e2e.chaos;

import dev.baton.e2e.PipelineDriver;
import dev.baton.infra.fake.FakeOutside;
import dev.baton.infra.fake.WebhookPayloads;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The people and CI around Baton during a chaos run, over the wire only: a work item created in Plane
 * every {@code every}, moved to Analysis, its BRD approved (moved to Architecture) when it waits for
 * approval, and CI reported green on its pull request's head. The agents (the real agent-runner),
 * effects, the reaper and the deploy finalizer do the rest. A webhook the gateway refuses (no broker)
 * or a read that fails (no database) is simply tried again at a later tick, as Plane and Gitea
 * redeliver; an action that did not move the item on is repeated after a while, as a person would.
 */
final class ChaosLoad {

    static final String PROJECT = "CHAOS";
    private static final Duration REPEAT = Duration.ofSeconds(20);

    /** One work item: its Plane id and sequence; {@code key} is how Baton names it. */
    record Item(String key, String planeId, int sequence) {
    }

    private final PipelineDriver driver;
    private final FakeOutside outside;
    private final Database database;
    private final Map<String, Item> items = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger sequences = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<String, Instant> done = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastAction = new ConcurrentHashMap<>();
    private final Set<String> webhooksRefused = ConcurrentHashMap.newKeySet();
    private volatile Map<String, String> stages = Map.of();

    ChaosLoad(PipelineDriver driver, FakeOutside outside, Database database) {
        this.driver = driver;
        this.outside = outside;
        this.database = database;
    }

    /** A new work item in Plane (its webhook is sent at the next tick). */
    synchronized void create() {
        adopt(next());
    }

    /** The next work item, not driven yet: a fault test sends its first webhook itself, then {@link #adopt}s it. */
    synchronized Item next() {
        int sequence = sequences.incrementAndGet();
        String planeId = UUID.nameUUIDFromBytes(("chaos-" + sequence).getBytes(StandardCharsets.UTF_8)).toString();
        return new Item(PROJECT + "-" + sequence, planeId, sequence);
    }

    /** From now on the load drives {@code item} like the others. */
    void adopt(Item item) {
        items.put(item.key(), item);
    }

    /** One look at every item and the next action each needs. */
    void tick() {
        try {
            stages = database.pairs("SELECT id, stage FROM stage.task WHERE id LIKE ?", PROJECT + "-%");
        } catch (java.sql.SQLException noDatabase) {
            return;
        }
        for (Item item : items.values()) {
            if (done.containsKey(item.key())) {
                continue;
            }
            String stage = stages.get(item.key());
            try {
                act(item, stage);
            } catch (Exception refused) {
                webhooksRefused.add(item.key() + " " + stage);
            }
        }
    }

    private void act(Item item, String stage) throws Exception {
        if (stage == null) {
            once(item, "created", () -> driver.planeCreatedEvent(item.planeId(), PROJECT, item.sequence()));
            return;
        }
        switch (stage) {
            case "done" -> done.put(item.key(), Instant.now());
            case "created" -> once(item, "analysis", () -> driver.planeStateChanged(item.planeId(), PROJECT,
                    item.sequence(), "Analysis"));
            // A person approves the BRD by moving the work item on in Plane.
            case "brd-approval" -> once(item, "approved", () -> driver.planeStateChanged(item.planeId(), PROJECT,
                    item.sequence(), "Architecture"));
            case "development", "review" -> {
                for (Map<String, Object> pull : outside.pullRequests(WebhookPayloads.REPO)) {
                    Map<?, ?> head = (Map<?, ?>) pull.get("head");
                    if (("baton/" + item.key()).equals(head.get("ref"))) {
                        once(item, "ci " + head.get("sha"), () -> driver.giteaStatus(item.key(),
                                String.valueOf(head.get("sha")), "success"));
                    }
                }
            }
            default -> {
                // Agents, effects, the reaper and the finalizer move it on.
            }
        }
    }

    interface Action {
        void run() throws Exception;
    }

    /** Runs {@code action} unless it was run for this item less than {@link #REPEAT} ago. */
    private void once(Item item, String what, Action action) throws Exception {
        String key = item.key() + " " + what;
        Instant last = lastAction.get(key);
        if (last != null && last.plus(REPEAT).isAfter(Instant.now())) {
            return;
        }
        action.run();
        lastAction.put(key, Instant.now());
    }

    List<Item> items() {
        return List.copyOf(items.values());
    }

    boolean allDone() {
        return done.size() == items.size();
    }

    Map<String, Instant> done() {
        return Map.copyOf(done);
    }

    /** The last stage seen of each item not done yet. */
    Map<String, String> unfinished() {
        Map<String, String> left = new java.util.TreeMap<>();
        for (Item item : items.values()) {
            if (!done.containsKey(item.key())) {
                left.put(item.key(), stages.getOrDefault(item.key(), "(not created)"));
            }
        }
        return left;
    }

    int webhooksRefused() {
        return webhooksRefused.size();
    }
}
