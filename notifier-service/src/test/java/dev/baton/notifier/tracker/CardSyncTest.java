package dev.baton.notifier.tracker;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.baton.events.EventEnvelope;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.TestClock;
import dev.baton.notifier.support.Db;
import dev.baton.notifier.support.Events;
import dev.baton.notifier.support.SendersOff;
import dev.baton.notifier.support.TelegramFakeResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.baton.notifier.support.BotApiRequests.DELETE;
import static dev.baton.notifier.support.BotApiRequests.EDIT;
import static dev.baton.notifier.support.BotApiRequests.SEND;
import static dev.baton.notifier.support.BotApiRequests.deletes;
import static dev.baton.notifier.support.BotApiRequests.edits;
import static dev.baton.notifier.support.BotApiRequests.sends;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CardSyncService} on its own, in edit and bump mode: the card's message handling when
 * Telegram loses a message, refuses a send, or cannot delete an old card. The chat senders are off
 * (this replica only consumes), so each step is the test's own call.
 */
@QuarkusTest
@TestProfile(SendersOff.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = TelegramFakeResource.class, scope = TestResourceScope.GLOBAL)
class CardSyncTest {

    @Inject
    CardEventService events;
    @Inject
    CardSyncService sync;
    @Inject
    TestClock clock;

    private final WireMockServer wm = TelegramFakeResource.server();

    @AfterEach
    void resetClock() {
        clock.reset();
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


    private void apply(EventEnvelope event) {
        events.apply(event, null).await().atMost(Duration.ofSeconds(10));
    }
}
