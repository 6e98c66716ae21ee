package dev.baton.notifier.tracker;

import dev.baton.events.EventEnvelope;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.notifier.support.Db;
import dev.baton.notifier.support.Events;
import dev.baton.notifier.support.Replicas;
import dev.baton.notifier.support.SendersOff;
import dev.baton.notifier.support.TelegramFakeResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.baton.notifier.support.BotApiRequests.DELETE;
import static dev.baton.notifier.support.BotApiRequests.EDIT;
import static dev.baton.notifier.support.BotApiRequests.calls;
import static dev.baton.notifier.support.BotApiRequests.sends;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two notifier instances (two {@link CardSyncService}s that share only the database and the Bot
 * API, as two replicas do) race for the same work item: still one card, one call per update. The
 * chat senders are off here: the card's own CAS is what this proves, the guard that holds even
 * when two senders overlap for a moment (a replica that has not yet noticed it lost its chat).
 */
@QuarkusTest
@TestProfile(SendersOff.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = TelegramFakeResource.class, scope = TestResourceScope.GLOBAL)
class CardRaceTest {

    private static final int ROUNDS = 15;
    private static final int THREADS_PER_INSTANCE = 3;

    @Inject
    CardEventService events;
    @Inject
    Replicas replicas;
    @Inject
    CardSyncService instanceA;

    @Test
    void racingInstancesMakeOneCardAndOneCallPerUpdateInBothModes() throws Exception {
        CardSyncService instanceB = replicas.cardSync();
        ExecutorService pool = Executors.newFixedThreadPool(2 * THREADS_PER_INSTANCE);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                TrackerMode mode = round % 2 == 0 ? TrackerMode.EDIT : TrackerMode.BUMP;
                String item = "RACE-" + round + "-" + UUID.randomUUID().toString().substring(0, 6);
                apply(Events.created(item, "Race", "created"));
                List<CardSyncService.Outcome> first = race(pool, instanceA, instanceB, item, mode);
                assertEquals(1, count(first, CardSyncService.Outcome.SYNCED), item + " " + first);
                assertEquals(1, sends(item).size(), "one first card for " + item);
                long message = Db.messageId(item);

                apply(Events.moved(item, "StageAdvanced", "created", "analysis", 2));
                List<CardSyncService.Outcome> update = race(pool, instanceA, instanceB, item, mode);
                assertEquals(1, count(update, CardSyncService.Outcome.SYNCED), item + " " + update);
                if (mode == TrackerMode.EDIT) {
                    assertEquals(1, sends(item).size(), "still one card for " + item);
                    assertEquals(1, calls(EDIT, message).size(), "one edit for one update of " + item);
                } else {
                    assertEquals(2, sends(item).size(), "exactly one new message for the update of " + item);
                    assertEquals(1, calls(DELETE, message).size(), "the old card deleted once for " + item);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private List<CardSyncService.Outcome> race(ExecutorService pool, CardSyncService a, CardSyncService b, String item,
                                               TrackerMode mode) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2 * THREADS_PER_INSTANCE);
        List<Future<CardSyncService.Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < 2 * THREADS_PER_INSTANCE; i++) {
            CardSyncService instance = i % 2 == 0 ? a : b;
            futures.add(pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                return instance.sync(item, mode);
            }));
        }
        List<CardSyncService.Outcome> outcomes = new ArrayList<>();
        for (Future<CardSyncService.Outcome> f : futures) {
            outcomes.add(f.get(30, TimeUnit.SECONDS));
        }
        assertTrue(outcomes.stream().noneMatch(o -> o == CardSyncService.Outcome.FAILED), outcomes.toString());
        return outcomes;
    }

    private static long count(List<CardSyncService.Outcome> outcomes, CardSyncService.Outcome wanted) {
        return outcomes.stream().filter(o -> o == wanted).count();
    }

    private void apply(EventEnvelope event) {
        events.apply(event, null).await().atMost(Duration.ofSeconds(10));
    }
}
