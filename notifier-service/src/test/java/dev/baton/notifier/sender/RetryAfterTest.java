package dev.baton.notifier.sender;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.baton.events.EventEnvelope;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.infra.test.TestClock;
import dev.baton.notifier.support.Db;
import dev.baton.notifier.support.Events;
import dev.baton.notifier.support.FastForward;
import dev.baton.notifier.support.RealChatLimit;
import dev.baton.notifier.support.TelegramFakeResource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.baton.notifier.support.BotApiRequests.EDIT;
import static dev.baton.notifier.support.BotApiRequests.SEND;
import static dev.baton.notifier.support.BotApiRequests.sends;
import static dev.baton.notifier.support.BotApiRequests.field;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Telegram's 429 at the real per-chat budget (20 a minute), through the application's own chat
 * sender, read from the fake Bot API's calls stamped with the application's clock: nothing reaches
 * the chat (any work item, send or edit) before the {@code retry_after} Telegram asked for has
 * passed, whether the wait comes in the body's {@code parameters} or only in the
 * {@code Retry-After} header, and a wait over {@code BATON_TELEGRAM_MAX_RETRY_AFTER} drops the
 * update without losing anything: the card's next update shows the whole card.
 *
 * <p>The budget's and the pause's waits move the test clock ({@link FastForward}), so a 90 s pause
 * takes no real time; each test starts a minute after the last call, with the chat's window empty.
 */
@QuarkusTest
@TestProfile(RealChatLimit.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = TelegramFakeResource.class, scope = TestResourceScope.GLOBAL)
class RetryAfterTest {

    static final String CHAT = TelegramFakeResource.CHAT;

    /** One call to the Bot API as the fake saw it: when (the application's clock), which method (no token), its answer. */
    record Call(Instant at, String method, int status, String text, long messageId) {

        boolean refused() {
            return status == 429;
        }

        boolean shows(String workItem) {
            return text.contains("<b>" + workItem + "</b>");
        }
    }

    @Inject
    TestClock clock;
    @Inject
    FastForward fastForward;
    @Inject
    MeterRegistry registry;

    private final WireMockServer wm = TelegramFakeResource.server();
    private final KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());
    private final List<StubMapping> stubs = new ArrayList<>();

    @BeforeEach
    void aMinuteAfterTheLastCall() {
        fastForward.on();
        clock.advance(Duration.ofSeconds(61));
    }

    @AfterEach
    void realTimeAgain() {
        stubs.forEach(wm::removeStub);
        fastForward.off();
        // The budget's record holds instants of the moved clock; no later sender may count them.
        Db.execute("DELETE FROM notifier.chat_send");
    }

    @Test
    void a429PausesTheWholeChatUntilItsRetryAfterHasPassed() {
        String run = run();
        String item = "PAUSE" + run + "-A";
        long message = cardOut(item);
        refuse(post(urlPathEqualTo(EDIT)).withRequestBody(matchingJsonPath("$.message_id", equalTo(Long.toString(message)))),
                tooManyRequests(30, true), item);
        ConcurrentLinkedQueue<Call> calls = record();

        publish(Events.moved(item, "StageAdvanced", "created", "analysis", 2));
        List<String> others = List.of("PAUSE" + run + "-B", "PAUSE" + run + "-C");
        others.forEach(other -> publish(Events.created(other, "Waits", "created")));

        await().atMost(Duration.ofSeconds(60)).until(() -> lastShown(calls, item).contains(": <b>Analysis</b>")
                && others.stream().allMatch(other -> !lastShown(calls, other).isEmpty()));
        Call refused = onlyRefusal(calls);
        List<Call> after = after(calls, refused);
        assertTrue(after.stream().anyMatch(c -> c.method().equals("/editMessageText") && c.messageId() == message), "the edit went again");
        for (Call call : after) {
            assertFalse(call.at().isBefore(refused.at().plusSeconds(30)),
                    "a call to the chat " + Duration.between(refused.at(), call.at()) + " after a 429 asking for 30 s: " + call);
        }
        assertEquals(1, sends(item + "<").size(), "still one card");
        others.forEach(other -> assertEquals(1, sends(other + "<").size(), "one card for " + other));
    }

    @Test
    void aRetryAfterOverTheLimitDropsTheUpdateAndTheCardsNextUpdateShowsTheWholeCard() {
        String run = run();
        String item = "DROP" + run + "-A";
        String other = "DROP" + run + "-B";
        long message = cardOut(item);
        // 90 s is over BATON_TELEGRAM_MAX_RETRY_AFTER (60 s by default).
        refuse(post(urlPathEqualTo(EDIT)).withRequestBody(matchingJsonPath("$.message_id", equalTo(Long.toString(message)))),
                tooManyRequests(90, true), item);
        double droppedBefore = dropped("editMessageText");
        ConcurrentLinkedQueue<Call> calls = record();

        publish(Events.moved(item, "StageAdvanced", "created", "analysis", 2));
        await().atMost(Duration.ofSeconds(60)).until(() -> calls.stream().anyMatch(Call::refused));
        // While the chat waits: the card moves on, an agent's run arrives, another item is created.
        publish(Events.moved(item, "StageAdvanced", "analysis", "brd-approval", 3));
        publish(Events.agentRun(item, item + "-run", "analyst", "opus", 1, 0.25, 1000, 100));
        publish(Events.created(other, "Waits too", "created"));

        await().atMost(Duration.ofSeconds(60)).until(() -> lastShown(calls, item).contains(": <b>BRD approval</b>")
                && lastShown(calls, item).contains("analyst") && !lastShown(calls, other).isEmpty());
        Call refused = onlyRefusal(calls);
        assertTrue(refused.text().contains(": <b>Analysis</b>"), "the refused edit was the update to Analysis");
        assertEquals(droppedBefore + 1, dropped("editMessageText"), "that update was dropped, not waited for");
        for (Call call : after(calls, refused)) {
            assertFalse(call.at().isBefore(refused.at().plusSeconds(90)),
                    "a call to the chat " + Duration.between(refused.at(), call.at()) + " after a 429 asking for 90 s: " + call);
        }
        String last = lastShown(calls, item);
        assertTrue(last.contains("✅ Analysis"), "the whole card, every stage row: " + last);
        assertEquals(1, sends(item + "<").size(), "still one card, edited");
        assertEquals(1, sends(other + "<").size(), "one card for the item created during the pause");
    }

    @Test
    void aRetryAfterHeaderWithoutTheBodysParametersIsHonoured() {
        String item = "HEADER" + run() + "-A";
        refuse(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.text", containing(item + "<"))),
                tooManyRequests(40, false).withHeader("Retry-After", "40"), item);
        ConcurrentLinkedQueue<Call> calls = record();

        publish(Events.created(item, "Header only", "created"));

        await().atMost(Duration.ofSeconds(60)).until(() -> Db.messageId(item) != null);
        Call refused = onlyRefusal(calls);
        List<Call> after = after(calls, refused);
        assertFalse(after.isEmpty(), "the card was sent again");
        for (Call call : after) {
            assertFalse(call.at().isBefore(refused.at().plusSeconds(40)),
                    "a call to the chat " + Duration.between(refused.at(), call.at()) + " after Retry-After: 40: " + call);
        }
        assertEquals(2, sends(item + "<").size(), "the refused send and the one after the wait");
    }

    /** The Bot API's 429: the wait in {@code parameters.retry_after}, or (without) only in the description. */
    private static ResponseDefinitionBuilder tooManyRequests(int seconds, boolean parameters) {
        String body = parameters
                ? """
                  {"ok":false,"error_code":429,"description":"Too Many Requests: retry after %d","parameters":{"retry_after":%d}}"""
                  .formatted(seconds, seconds)
                : """
                  {"ok":false,"error_code":429,"description":"Too Many Requests: retry after %d"}""".formatted(seconds);
        return aResponse().withStatus(429).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** {@code request} is answered {@code answer} once; after that the fake's default success applies. */
    private void refuse(MappingBuilder request, ResponseDefinitionBuilder answer, String scenario) {
        stubs.add(wm.stubFor(request.atPriority(1).inScenario("429 " + scenario)
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("answered").willReturn(answer)));
    }

    /** From now on, every call to the chat, in the order the fake received them. */
    private ConcurrentLinkedQueue<Call> record() {
        ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
        // Listeners run before the response is written, so a call's stamp precedes the client's reading of it.
        wm.addMockServiceRequestListener((request, response) -> {
            String body = request.getBodyAsString();
            if (request.getUrl().startsWith(TelegramFakeResource.BOT) && CHAT.equals(field(body, "chat_id"))) {
                String message = field(body, "message_id");
                calls.add(new Call(clock.instant(), request.getUrl().substring(TelegramFakeResource.BOT.length()), response.getStatus(), field(body, "text"),
                        message.isEmpty() ? -1 : Long.parseLong(message)));
            }
        });
        return calls;
    }

    private static Call onlyRefusal(ConcurrentLinkedQueue<Call> calls) {
        List<Call> refused = calls.stream().filter(Call::refused).toList();
        assertEquals(1, refused.size(), "one 429: " + refused);
        return refused.get(0);
    }

    private static List<Call> after(ConcurrentLinkedQueue<Call> calls, Call refused) {
        List<Call> all = new ArrayList<>(calls);
        return all.subList(all.indexOf(refused) + 1, all.size());
    }

    /** The text of the last call Telegram took for {@code workItem}'s card, or "" before one. */
    private static String lastShown(ConcurrentLinkedQueue<Call> calls, String workItem) {
        String last = "";
        for (Call call : calls) {
            if (call.status() == 200 && call.shows(workItem)) {
                last = call.text();
            }
        }
        return last;
    }

    /** The work item's first card, sent by the chat sender. @return its message id */
    private long cardOut(String workItem) {
        publish(Events.created(workItem, "Pauses", "created"));
        await().atMost(Duration.ofSeconds(60)).until(() -> Db.messageId(workItem) != null);
        return Db.messageId(workItem);
    }

    private double dropped(String method) {
        Counter counter = registry.find("baton.notifier.telegram.calls").tags("method", method, "outcome", "dropped").counter();
        return counter == null ? 0 : counter.count();
    }

    private void publish(EventEnvelope event) {
        kafka.send(Topics.TRANSITIONS, event.aggregateId(), Events.json(event));
    }

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 6);
    }
}
