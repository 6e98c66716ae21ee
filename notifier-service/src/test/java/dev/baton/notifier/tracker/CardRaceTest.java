package dev.baton.notifier.tracker;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.baton.events.EventEnvelope;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.notifier.client.TelegramClient;
import dev.baton.notifier.config.NotifierConfig;
import dev.baton.notifier.config.TelegramConfig;
import dev.baton.notifier.config.TrackerConfig;
import dev.baton.notifier.pipeline.PipelineCatalog;
import dev.baton.notifier.repository.AgentRunRepository;
import dev.baton.notifier.repository.CardRepository;
import dev.baton.notifier.support.Db;
import dev.baton.notifier.support.Events;
import dev.baton.notifier.support.SendersOff;
import dev.baton.notifier.support.TelegramFakeResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
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
@QuarkusTestResource(value = BatonTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TelegramFakeResource.class, restrictToAnnotatedClass = false)
class CardRaceTest {

    private static final int ROUNDS = 15;
    private static final int THREADS_PER_INSTANCE = 3;

    @Inject
    CardEventService events;
    @Inject
    CardSyncService instanceA;
    @Inject
    CardRepository cards;
    @Inject
    AgentRunRepository runs;
    @Inject
    PipelineCatalog pipelines;
    @Inject
    TelegramClient telegram;
    @Inject
    TelegramConfig telegramConfig;
    @Inject
    TrackerConfig trackerConfig;
    @Inject
    NotifierConfig notifierConfig;
    @Inject
    Clock clock;

    private final WireMockServer wm = TelegramFakeResource.server();

    private CardSyncService secondInstance() {
        return new CardSyncService(cards, runs, pipelines, telegram, telegramConfig, trackerConfig, notifierConfig, clock);
    }

    @Test
    void racingInstancesMakeOneCardAndOneCallPerUpdateInBothModes() throws Exception {
        CardSyncService instanceB = secondInstance();
        ExecutorService pool = Executors.newFixedThreadPool(2 * THREADS_PER_INSTANCE);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                TrackerMode mode = round % 2 == 0 ? TrackerMode.EDIT : TrackerMode.BUMP;
                String item = "RACE-" + round + "-" + UUID.randomUUID().toString().substring(0, 6);
                apply(Events.created(item, "Race", "created"));
                List<CardSyncService.Outcome> first = race(pool, instanceA, instanceB, item, mode);
                assertEquals(1, count(first, CardSyncService.Outcome.SYNCED), item + " " + first);
                assertEquals(1, sends(item), "one first card for " + item);
                long message = Db.messageId(item);

                apply(Events.moved(item, "StageAdvanced", "created", "analysis", 2));
                List<CardSyncService.Outcome> update = race(pool, instanceA, instanceB, item, mode);
                assertEquals(1, count(update, CardSyncService.Outcome.SYNCED), item + " " + update);
                if (mode == TrackerMode.EDIT) {
                    assertEquals(1, sends(item), "still one card for " + item);
                    assertEquals(1, calls("/editMessageText", message), "one edit for one update of " + item);
                } else {
                    assertEquals(2, sends(item), "exactly one new message for the update of " + item);
                    assertEquals(1, calls("/deleteMessage", message), "the old card deleted once for " + item);
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
        events.apply(event).await().atMost(Duration.ofSeconds(10));
    }

    private int sends(String item) {
        return wm.findAll(postRequestedFor(urlPathEqualTo(TelegramFakeResource.BOT + "/sendMessage"))
                .withRequestBody(matchingJsonPath("$.text", containing(item)))).size();
    }

    private int calls(String method, long messageId) {
        return wm.findAll(postRequestedFor(urlPathEqualTo(TelegramFakeResource.BOT + method))
                .withRequestBody(matchingJsonPath("$.message_id", equalTo(Long.toString(messageId))))).size();
    }
}
