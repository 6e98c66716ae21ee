package dev.baton.notifier.tracker;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.baton.events.EventEnvelope;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.notifier.support.Db;
import dev.baton.notifier.support.Events;
import dev.baton.notifier.support.TelegramFakeResource;
import dev.baton.notifier.support.TestClock;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The card through its life, in edit and bump mode, against WireMock as the Bot API. */
@QuarkusTest
@QuarkusTestResource(value = BatonTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = TelegramFakeResource.class, restrictToAnnotatedClass = false)
class TrackerCardTest {

    static final String SEND = TelegramFakeResource.BOT + "/sendMessage";
    static final String EDIT = TelegramFakeResource.BOT + "/editMessageText";
    static final String DELETE = TelegramFakeResource.BOT + "/deleteMessage";

    @Inject
    CardEventService events;
    @Inject
    CardSyncService sync;
    @Inject
    TestClock clock;

    private final WireMockServer wm = TelegramFakeResource.server();
    private final KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    void editModeKeepsOneCardCurrentFromKafkaEventsWithExactCosts() {
        String item = "EDIT-" + UUID.randomUUID().toString().substring(0, 8);
        publish(Events.created(item, "Edit <mode> & costs", "created"));
        await().atMost(Duration.ofSeconds(30)).until(() -> sends(item).size() == 1);
        long message = Db.messageId(item);

        EventEnvelope advanced = Events.moved(item, "StageAdvanced", "created", "analysis", 2);
        publish(advanced);
        publish(advanced);
        // runs as stage-service records them: several per agent, one redelivered
        double[] developerCosts = {0.1, 0.2, 0.35};
        BigDecimal expected = BigDecimal.ZERO;
        for (int i = 0; i < developerCosts.length; i++) {
            EventEnvelope run = Events.agentRun(item, item + "-dev-" + i, "developer", i < 2 ? "sonnet" : "opus", i + 1,
                    developerCosts[i], 1000, 100);
            publish(run);
            if (i == 1) {
                publish(run);
            }
            expected = expected.add(new BigDecimal(Double.toString(developerCosts[i])));
        }
        publish(Events.agentRun(item, item + "-rev-0", "reviewer", "gpt", 1, 0.0123, 500, 50));
        expected = expected.add(new BigDecimal("0.0123"));
        String total = "Total: $" + expected.stripTrailingZeros().toPlainString();

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<LoggedRequest> edits = edits(message);
            return !edits.isEmpty() && edits.get(edits.size() - 1).getBodyAsString().contains(total);
        });
        String last = edits(message).get(edits(message).size() - 1).getBodyAsString();
        assertTrue(last.contains("opus · high · attempt 3 · 3 runs"), "model and attempt from the last run: " + last);
        assertTrue(last.contains("🔄 Analysis"), last);
        assertTrue(sends(item).get(0).getBodyAsString().contains("Edit &lt;mode&gt; &amp; costs"), "title escaped");
        assertEquals(1, sends(item).size(), "one card, edited in place");
        assertTrue(edits(message).size() <= 5, "at most one edit per new event; the redeliveries changed nothing");
    }

    @Test
    void aCardWhoseMessageIsGoneIsSentAgainAndRepointed() {
        String item = "GONE-" + UUID.randomUUID().toString().substring(0, 8);
        apply(Events.created(item, "Gone", "created"));
        assertEquals(CardSyncService.Outcome.SYNCED, sync.sync(item, TrackerMode.EDIT));
        long first = Db.messageId(item);
        wm.stubFor(post(urlPathEqualTo(EDIT)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.message_id", equalTo(Long.toString(first))))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: message to edit not found\"}")));

        apply(Events.moved(item, "StageAdvanced", "created", "analysis", 2));
        assertEquals(CardSyncService.Outcome.SYNCED, sync.sync(item, TrackerMode.EDIT));

        assertEquals(2, sends(item).size());
        assertNotEquals(first, Db.messageId(item));
        assertEquals(CardSyncService.Outcome.UNCHANGED, sync.sync(item, TrackerMode.EDIT), "hash unchanged: no call");
        assertEquals(2, sends(item).size());
    }

    @Test
    void bumpModeSendsSilentlyRepointsThenDeletesTheOldCard() {
        String item = "BUMP-" + UUID.randomUUID().toString().substring(0, 8);
        apply(Events.created(item, "Bump", "created"));
        assertEquals(CardSyncService.Outcome.SYNCED, sync.sync(item, TrackerMode.BUMP));
        long first = Db.messageId(item);

        apply(Events.moved(item, "StageAdvanced", "created", "analysis", 2));
        assertEquals(CardSyncService.Outcome.SYNCED, sync.sync(item, TrackerMode.BUMP));

        List<LoggedRequest> sends = sends(item);
        assertEquals(2, sends.size(), "one new message for one update");
        assertTrue(sends.get(1).getBodyAsString().contains("\"disable_notification\":true"), sends.get(1).getBodyAsString());
        long second = Db.messageId(item);
        assertNotEquals(first, second);
        assertEquals(1, deletes(first).size(), "the old card is deleted");
        assertEquals(CardSyncService.Outcome.UNCHANGED, sync.sync(item, TrackerMode.BUMP));
        assertEquals(2, sends(item).size());
    }

    @Test
    void bumpModeFailedSendKeepsTheOldCardAndItsId() {
        String item = "BFAIL-" + UUID.randomUUID().toString().substring(0, 8);
        apply(Events.created(item, "Bump fails", "created"));
        sync.sync(item, TrackerMode.BUMP);
        long first = Db.messageId(item);
        var failing = wm.stubFor(post(urlPathEqualTo(SEND)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.text", containing(item)))
                .withRequestBody(matchingJsonPath("$.disable_notification", equalTo("true")))
                .willReturn(aResponse().withStatus(502).withHeader("Content-Type", "application/json")
                        .withBody("{\"ok\":false,\"error_code\":502,\"description\":\"Bad Gateway\"}")));

        apply(Events.moved(item, "StageAdvanced", "created", "analysis", 2));
        assertEquals(CardSyncService.Outcome.FAILED, sync.sync(item, TrackerMode.BUMP));
        assertEquals(first, Db.messageId(item), "not repointed");
        assertEquals(0, deletes(first).size(), "the old card is kept");

        wm.removeStub(failing);
        assertEquals(CardSyncService.Outcome.SYNCED, sync.sync(item, TrackerMode.BUMP), "the next update renders it all");
        assertNotEquals(first, Db.messageId(item));
        assertEquals(1, deletes(first).size());
    }

    @Test
    void bumpModePastTheDeleteWindowTurnsAnUndeletableCardIntoAStub() {
        String item = "STUB-" + UUID.randomUUID().toString().substring(0, 8);
        apply(Events.created(item, "Old card", "created"));
        sync.sync(item, TrackerMode.BUMP);
        long first = Db.messageId(item);
        wm.stubFor(post(urlPathEqualTo(DELETE)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.message_id", equalTo(Long.toString(first))))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: message can't be deleted\"}")));

        clock.advance(Duration.ofHours(49));
        apply(Events.moved(item, "StageAdvanced", "created", "analysis", 2));
        assertEquals(CardSyncService.Outcome.SYNCED, sync.sync(item, TrackerMode.BUMP));

        assertNotEquals(first, Db.messageId(item), "the send was not gated by the delete");
        List<LoggedRequest> stub = edits(first);
        assertEquals(1, stub.size());
        assertTrue(stub.get(0).getBodyAsString().contains("moved ↓"), stub.get(0).getBodyAsString());
    }

    private void publish(EventEnvelope event) {
        kafka.send(Topics.TRANSITIONS, event.aggregateId(), Events.json(event));
    }

    private void apply(EventEnvelope event) {
        events.apply(event).await().atMost(Duration.ofSeconds(10));
    }

    List<LoggedRequest> sends(String item) {
        return wm.findAll(postRequestedFor(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.text", containing(item))));
    }

    List<LoggedRequest> edits(long messageId) {
        return wm.findAll(postRequestedFor(urlPathEqualTo(EDIT))
                .withRequestBody(matchingJsonPath("$.message_id", equalTo(Long.toString(messageId)))));
    }

    List<LoggedRequest> deletes(long messageId) {
        return wm.findAll(postRequestedFor(urlPathEqualTo(DELETE))
                .withRequestBody(matchingJsonPath("$.message_id", equalTo(Long.toString(messageId)))));
    }
}
