package dev.baton.notifier.client;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.notifier.support.Db;
import dev.baton.notifier.support.TelegramFakeResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Bot API's failure modes, answered by WireMock with Telegram's real error bodies. */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = TelegramFakeResource.class, scope = TestResourceScope.GLOBAL)
class TelegramClientTest {

    private static final String SEND = TelegramFakeResource.BOT + "/sendMessage";
    private static final String EDIT = TelegramFakeResource.BOT + "/editMessageText";
    private static final String DELETE = TelegramFakeResource.BOT + "/deleteMessage";

    @Inject
    TelegramClient telegram;

    private final WireMockServer wm = TelegramFakeResource.server();
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            StringWriter trace = new StringWriter();
            if (record.getThrown() != null) {
                record.getThrown().printStackTrace(new PrintWriter(trace));
            }
            logged.add(record.getLoggerName() + " " + message + " " + trace);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapture() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void recoversFrom429AfterRetryAfter() {
        String chat = "-429001";
        wm.stubFor(post(urlPathEqualTo(SEND)).atPriority(1).withRequestBody(matchingJsonPath("$.chat_id", equalTo(chat)))
                .inScenario("429").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("waited")
                .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json").withBody("""
                        {"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}""")));

        TelegramResult result = telegram.send(chat, "<b>hi</b>", false);

        assertEquals(TelegramResult.Status.OK, result.status());
        List<LoggedRequest> calls = wm.findAll(postRequestedFor(urlPathEqualTo(SEND))
                .withRequestBody(matchingJsonPath("$.chat_id", equalTo(chat))));
        assertEquals(2, calls.size());
        long waited = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
        assertTrue(waited >= 950, "waited retry_after (1 s), got " + waited + " ms");
    }

    @Test
    void serverErrorsAreRetriedABoundedNumberOfTimesThenDropped() {
        String chat = "-502001";
        wm.stubFor(post(urlPathEqualTo(SEND)).atPriority(1).withRequestBody(matchingJsonPath("$.chat_id", equalTo(chat)))
                .willReturn(aResponse().withStatus(502).withHeader("Content-Type", "application/json")
                        .withBody("{\"ok\":false,\"error_code\":502,\"description\":\"Bad Gateway\"}")));

        TelegramResult result = telegram.send(chat, "x", false);

        assertEquals(TelegramResult.Status.FAILED, result.status());
        assertEquals(3, wm.countRequestsMatching(postRequestedFor(urlPathEqualTo(SEND))
                .withRequestBody(matchingJsonPath("$.chat_id", equalTo(chat))).build()).getCount());
    }

    @Test
    void timeoutsAreRetriedThenDroppedWithoutLeakingTheToken() {
        String chat = "-504001";
        wm.stubFor(post(urlPathEqualTo(SEND)).atPriority(1).withRequestBody(matchingJsonPath("$.chat_id", equalTo(chat)))
                .willReturn(okJson("{\"ok\":true,\"result\":{\"message_id\":1}}").withFixedDelay(1500)));

        TelegramResult result = telegram.send(chat, "x", false);

        assertEquals(TelegramResult.Status.FAILED, result.status());
        assertEquals(3, wm.countRequestsMatching(postRequestedFor(urlPathEqualTo(SEND))
                .withRequestBody(matchingJsonPath("$.chat_id", equalTo(chat))).build()).getCount());
        assertFalse(result.detail().contains(TelegramFakeResource.TOKEN), result.detail());
        assertNoToken();
    }

    @Test
    void aCallIsWrittenDownForTheChatsBudgetBeforeItIsMade() throws Exception {
        String chat = "-710001";
        wm.stubFor(post(urlPathEqualTo(SEND)).atPriority(1).withRequestBody(matchingJsonPath("$.chat_id", equalTo(chat)))
                .willReturn(okJson("{\"ok\":true,\"result\":{\"message_id\":7,\"chat\":{\"id\":-710001}}}")
                        .withFixedDelay(800)));
        String calls = "SELECT count(*) FROM notifier.chat_send WHERE chat_id = ?";

        CompletableFuture<TelegramResult> sent = CompletableFuture.supplyAsync(() -> telegram.send(chat, "x", false));
        await().atMost(Duration.ofSeconds(5)).until(() -> wm.countRequestsMatching(postRequestedFor(urlPathEqualTo(SEND))
                .withRequestBody(matchingJsonPath("$.chat_id", equalTo(chat))).build()).getCount() == 1);

        // On the wire (a replica killed now leaves it behind): already counted, from the latest instant
        // it could reach Telegram (connect 0.5 s + read 1.2 s after it was made).
        assertEquals(1L, Db.count(calls + " AND sent_at > now() + interval '500 milliseconds'", chat));
        assertEquals(TelegramResult.Status.OK, sent.get(5, TimeUnit.SECONDS).status());
        // Ended: counted from the instant it ended.
        assertEquals(1L, Db.count(calls + " AND sent_at <= now()", chat));
        assertEquals(1L, Db.count(calls, chat));
    }

    @Test
    void aCallTheBudgetCannotWriteDownIsNotMade() {
        String chat = "-710002";
        Db.execute("""
                CREATE OR REPLACE FUNCTION notifier.refuse_chat_710002() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.chat_id = '-710002' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$""");
        Db.execute("CREATE TRIGGER refuse_chat_710002 BEFORE INSERT ON notifier.chat_send"
                + " FOR EACH ROW EXECUTE FUNCTION notifier.refuse_chat_710002()");
        try {
            TelegramResult result = telegram.send(chat, "x", false);

            assertEquals(TelegramResult.Status.FAILED, result.status());
            assertEquals(0, wm.countRequestsMatching(postRequestedFor(urlPathEqualTo(SEND))
                    .withRequestBody(matchingJsonPath("$.chat_id", equalTo(chat))).build()).getCount(),
                    "a call the chat's next sender could not count never reaches Telegram");
        } finally {
            Db.execute("DROP TRIGGER refuse_chat_710002 ON notifier.chat_send");
            Db.execute("DROP FUNCTION notifier.refuse_chat_710002()");
        }
        assertEquals(TelegramResult.Status.OK, telegram.send(chat, "x", false).status());
    }

    @Test
    void aYieldedChatGetsNoCallUntilItIsAdoptedAgain() {
        String chat = "-710003";
        telegram.yieldChat(chat);

        TelegramResult refused = telegram.send(chat, "x", false);
        assertEquals(TelegramResult.Status.FAILED, refused.status());
        assertTrue(refused.detail().contains("no longer the sender"), refused.detail());
        assertEquals(0, wm.countRequestsMatching(postRequestedFor(urlPathEqualTo(SEND))
                .withRequestBody(matchingJsonPath("$.chat_id", equalTo(chat))).build()).getCount());

        assertTrue(telegram.adoptBudget(chat));
        assertEquals(TelegramResult.Status.OK, telegram.send(chat, "x", false).status());
    }

    @Test
    void migratedChatIsStoredAndUsedFromThenOn() {
        String oldChat = "-777001";
        String newChat = "-1001234567890";
        wm.stubFor(post(urlPathEqualTo(SEND)).atPriority(1).withRequestBody(matchingJsonPath("$.chat_id", equalTo(oldChat)))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody("""
                        {"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat",\
                        "parameters":{"migrate_to_chat_id":-1001234567890}}""")));

        TelegramResult first = telegram.send(oldChat, "first", false);
        TelegramResult second = telegram.send(oldChat, "second", false);

        assertEquals(TelegramResult.Status.OK, first.status());
        assertEquals(newChat, first.chatId());
        assertEquals(newChat, second.chatId());
        assertEquals(1, wm.countRequestsMatching(postRequestedFor(urlPathEqualTo(SEND))
                .withRequestBody(matchingJsonPath("$.chat_id", equalTo(oldChat))).build()).getCount(),
                "the old id is asked once");
        assertEquals(1L, Db.count("SELECT count(*) FROM notifier.chat_migration WHERE old_chat_id = ? "
                + "AND new_chat_id = '-1001234567890'", oldChat));
    }

    @Test
    void unparsableHtmlIsResentAsPlainText() {
        String chat = "-400777";
        wm.stubFor(post(urlPathEqualTo(SEND)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.chat_id", equalTo(chat)))
                .withRequestBody(matchingJsonPath("$.parse_mode", equalTo("HTML")))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody("""
                        {"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: \
                        Can't find end of the entity starting at byte offset 12"}""")));

        TelegramResult result = telegram.send(chat, "<b>ORCH-1</b> a &amp; b", false);

        assertEquals(TelegramResult.Status.OK, result.status());
        List<LoggedRequest> calls = wm.findAll(postRequestedFor(urlPathEqualTo(SEND))
                .withRequestBody(matchingJsonPath("$.chat_id", equalTo(chat))));
        assertEquals(2, calls.size());
        assertFalse(calls.get(1).getBodyAsString().contains("parse_mode"), calls.get(1).getBodyAsString());
        assertTrue(calls.get(1).getBodyAsString().contains("\"ORCH-1 a & b\""), calls.get(1).getBodyAsString());
        assertTrue(logged.stream().anyMatch(line -> line.contains("plain text")), "the fallback is logged");
    }

    @Test
    void editAndDeleteOutcomesAreTranslated() {
        wm.stubFor(post(urlPathEqualTo(EDIT)).atPriority(1).withRequestBody(matchingJsonPath("$.message_id", equalTo("9001")))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody("""
                        {"ok":false,"error_code":400,"description":"Bad Request: message is not modified: specified new \
                        message content and reply markup are exactly the same as a current content and reply markup of the message"}""")));
        wm.stubFor(post(urlPathEqualTo(EDIT)).atPriority(1).withRequestBody(matchingJsonPath("$.message_id", equalTo("9002")))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: message to edit not found\"}")));
        wm.stubFor(post(urlPathEqualTo(DELETE)).atPriority(1).withRequestBody(matchingJsonPath("$.message_id", equalTo("9003")))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: message to delete not found\"}")));

        TelegramResult notModified = telegram.edit(TelegramFakeResource.CHAT, 9001, "same");
        assertEquals(TelegramResult.Status.NOT_MODIFIED, notModified.status());
        assertTrue(notModified.succeeded(), "not modified counts as success");
        assertEquals(TelegramResult.Status.NOT_FOUND, telegram.edit(TelegramFakeResource.CHAT, 9002, "x").status());
        assertEquals(TelegramResult.Status.NOT_FOUND, telegram.delete(TelegramFakeResource.CHAT, 9003).status());
        assertEquals(TelegramResult.Status.OK, telegram.delete(TelegramFakeResource.CHAT, 9004).status());
    }

    @Test
    void theTokenIsInNoLogLineExceptionOrMetric() {
        String chat = "-503009";
        wm.stubFor(post(urlPathEqualTo(SEND)).atPriority(1).withRequestBody(matchingJsonPath("$.chat_id", equalTo(chat)))
                .willReturn(aResponse().withStatus(503).withBody("<html>Service Unavailable</html>")));
        telegram.send(chat, "x", false);
        telegram.send(TelegramFakeResource.CHAT, "ok", false);
        wm.stubFor(post(urlPathEqualTo(SEND)).atPriority(1).withRequestBody(matchingJsonPath("$.chat_id", equalTo("-1999")))
                .willReturn(aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));
        TelegramResult reset = telegram.send("-1999", "x", false);
        assertEquals(TelegramResult.Status.FAILED, reset.status());

        assertNoToken();
        String metrics = given().port(ManagementInterface.port()).get("/q/metrics").then().statusCode(200).extract().asString();
        assertFalse(metrics.contains(TelegramFakeResource.TOKEN), "metrics carry the token");
        assertFalse(metrics.contains("AAH-test-SECRET"), "metrics carry part of the token");
    }

    private void assertNoToken() {
        assertFalse(logged.isEmpty(), "something was logged");
        for (String line : logged) {
            assertFalse(line.contains("SECRET"), "a log line shows the token: " + line);
        }
    }
}
