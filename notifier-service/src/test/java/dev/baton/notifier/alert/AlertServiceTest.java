package dev.baton.notifier.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.baton.events.EventEnvelope;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.infra.test.TestClock;
import dev.baton.notifier.NotifierMetrics;
import dev.baton.notifier.client.TelegramClient;
import dev.baton.notifier.config.NotifierConfig;
import dev.baton.notifier.config.TelegramConfig;
import dev.baton.notifier.repository.AlertRepository;
import dev.baton.notifier.support.Events;
import dev.baton.notifier.support.TelegramFakeResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code baton.alerts} on the real broker, in the payloads stage-service and reaper-service write,
 * become plain messages to the alert chat, counted at WireMock as the Bot API. An alert chat of its
 * own is configured, so a message that went to the team chat instead would show.
 */
@QuarkusTest
@TestProfile(AlertServiceTest.SeparateAlertChat.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = TelegramFakeResource.class, scope = TestResourceScope.GLOBAL)
class AlertServiceTest {

    static final String ALERT_CHAT = "-1001000000777";
    static final String SEND = TelegramFakeResource.BOT + "/sendMessage";
    static final Duration WAIT = Duration.ofSeconds(30);

    /** The alert chat differs from the team chat ({@code BATON_TELEGRAM_ALERT_CHAT_ID}). */
    public static class SeparateAlertChat implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("baton.telegram.alert-chat-id", ALERT_CHAT);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TestClock clock;
    @Inject
    TelegramClient telegram;
    @Inject
    TelegramConfig telegramConfig;
    @Inject
    NotifierConfig notifierConfig;
    @Inject
    AlertRepository alertRepository;
    @Inject
    NotifierMetrics metrics;
    @Inject
    Pool pool;

    private final WireMockServer wm = TelegramFakeResource.server();
    private final KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    void staleLeaseReclaimedIsOnePlainMessageToTheAlertChatEvenWhenRedelivered() {
        String item = item("LEASE");
        EventEnvelope reclaimed = staleReclaim(item, 41, 42);
        String json = Events.json(reclaimed);
        publish(item, json);
        publish(item, json);
        barrier(item);

        List<JsonNode> messages = alertMessages(item, "lease reclaimed");
        assertEquals(1, messages.size(), "one message for a LeaseReclaimed delivered twice: " + messages);
        JsonNode message = messages.get(0);
        assertEquals(ALERT_CHAT, message.path("chat_id").asText(), "sent to the alert chat, not the team chat");
        assertTrue(message.path("parse_mode").isMissingNode(), "an alert is plain text: " + message);
        String text = message.path("text").asText();
        assertTrue(text.contains(item), "names the work item: " + text);
        assertTrue(text.contains("(stale)"), "names the kind: " + text);
        assertTrue(text.contains("agent:developer@runner-7 (pid 4242)") && text.contains("development → review"),
                "names the previous owner and the transition: " + text);
        assertFalse(text.contains(TelegramFakeResource.TOKEN), "no bot token in the text: " + text);
    }

    @Test
    void forcedReleaseIsSentOncePerReclaimedLease() {
        String item = item("FORCED");
        publish(item, Events.json(forcedRelease(item, 5, "runner host was rebuilt")));
        publish(item, Events.json(forcedRelease(item, 9, "stuck again")));
        // stage-service's relay never resends with a new id, but the same content under a new id is still one alert
        publish(item, Events.json(forcedRelease(item, 9, "stuck again")));
        barrier(item);

        List<String> texts = alertMessages(item, "lease reclaimed").stream().map(m -> m.path("text").asText()).toList();
        assertEquals(2, texts.size(), "a forced release carries no new token; each reclaimed lease is one alert: " + texts);
        assertTrue(texts.stream().allMatch(t -> t.contains("(forced)") && t.contains("testing → deploy-staging")),
                "kind and transition: " + texts);
        assertTrue(texts.stream().anyMatch(t -> t.contains("runner host was rebuilt"))
                && texts.stream().anyMatch(t -> t.contains("stuck again")), "each lease's own reason: " + texts);
    }

    @Test
    void effectInDoubtAndJobReapedAreOneMessageEachAndTheSameContentWithinTheWindowIsOne() {
        String item = item("DOUBT");
        publish(item, Events.json(effectInDoubt(item, "merge_pr", 77, "Gitea answered 502 <html> & gave up")));
        publish(item, Events.json(effectInDoubt(item, "merge_pr", 77, "Gitea answered 502 <html> & gave up")));
        publish(item, Events.json(jobReaped(item, 4711, 2, "runner silent for 10m")));
        publish(item, Events.json(jobReaped(item, 4711, 2, "runner silent for 10m")));
        barrier(item);

        List<JsonNode> doubts = alertMessages(item, "in doubt");
        assertEquals(1, doubts.size(), "one EffectInDoubt message for the same effect and token: " + doubts);
        String doubt = doubts.get(0).path("text").asText();
        assertTrue(doubt.contains(item) && doubt.contains("effect merge_pr in doubt (review → testing)"), doubt);
        assertTrue(doubt.contains("Gitea answered 502 <html> & gave up"),
                "plain text is sent as is, never HTML-escaped: " + doubt);
        assertTrue(doubts.get(0).path("parse_mode").isMissingNode(), "plain text: " + doubts.get(0));
        assertEquals(ALERT_CHAT, doubts.get(0).path("chat_id").asText(), "EffectInDoubt goes to the alert chat");

        List<JsonNode> reaps = alertMessages(item, "reaped");
        assertEquals(1, reaps.size(), "one JobReaped message for the same job: " + reaps);
        String reap = reaps.get(0).path("text").asText();
        assertTrue(reap.contains(item) && reap.contains("job 4711 reaped (tier 2): runner silent for 10m"), reap);
        assertEquals(ALERT_CHAT, reaps.get(0).path("chat_id").asText(), "JobReaped goes to the alert chat");

        clock.advance(notifierConfig.alertDedupeWindow().plusMinutes(1));
        publish(item, Events.json(jobReaped(item, 4711, 2, "runner silent for 10m")));
        await().atMost(WAIT).untilAsserted(() -> assertEquals(2, alertMessages(item, "reaped").size(),
                "past the window the same alert is sent again"));
    }

    @Test
    void reconcilerDriftAlertsSayWhatPlaneAndBatonSayOncePerDrift() {
        String item = item("DRIFT");
        for (int copy = 0; copy < 2; copy++) {
            // Two replicas, or one replica after a restart, can both report the same drift.
            publish(item, Events.json(Events.of(item, "PlaneDriftUnresolved", Events.payload("taskId", item,
                    "stage", "review", "planeState", "Backlog", "planeStateId", "0b1c", "reason",
                    "transition review -> created refused (422)"))));
        }
        publish(item, Events.json(Events.of(item, "PlaneDriftUnresolved", Events.payload("taskId", item,
                "stage", "testing", "planeState", "Backlog", "planeStateId", "0b1c", "reason", "work item gone (404)"))));
        barrier(item);

        List<JsonNode> drifts = alertMessages(item, "reconciler cannot move it");
        assertEquals(2, drifts.size(), "one message per (stage, Plane state): " + drifts);
        assertTrue(drifts.get(0).path("text").asText().contains("Plane says \"Backlog\", Baton says review"),
                drifts.get(0).toString());
        assertTrue(drifts.get(1).path("text").asText().endsWith("work item gone (404)"), drifts.get(1).toString());
    }

    @Test
    void alertTextNeverCarriesTheBotToken() {
        String item = item("SECRET");
        String leak = "POST https://api.telegram.org/bot" + TelegramFakeResource.TOKEN + "/sendMessage timed out";
        publish(item, Events.json(effectInDoubt(item, "notify", 3, leak)));
        publish(item, Events.json(jobReaped(item, 99, 1, "runner said " + TelegramFakeResource.TOKEN)));
        barrier(item);

        List<JsonNode> sent = alertMessages(item, "");
        assertEquals(3, sent.size(), "EffectInDoubt, JobReaped and the barrier: " + sent);
        for (JsonNode message : sent) {
            String text = message.path("text").asText();
            assertFalse(text.contains(TelegramFakeResource.TOKEN), "bot token in an alert: " + text);
            assertFalse(text.contains("AAH-test-SECRET"), "part of the bot token in an alert: " + text);
        }
        assertTrue(sent.stream().anyMatch(m -> m.path("text").asText().contains("bot<token>/sendMessage timed out")),
                "the rest of the detail stays: " + sent);
    }

    @Test
    void withoutAnAlertChatAlertsGoToTheTeamChat() {
        String item = item("TEAM");
        AlertService teamChatOnly = new AlertService(telegram, new WithoutAlertChat(telegramConfig), notifierConfig,
                alertRepository, metrics, clock);

        assertTrue(pool.withTransaction(conn -> teamChatOnly.enqueue(conn, jobReaped(item, 5150, 1, "runner gone"), null))
                .await().atMost(WAIT), "queued");

        await().atMost(WAIT).until(() -> !alertMessages(item, "reaped").isEmpty());
        List<JsonNode> sent = alertMessages(item, "reaped");
        assertEquals(1, sent.size(), "one message: " + sent);
        assertEquals(TelegramFakeResource.CHAT, sent.get(0).path("chat_id").asText(), "the team chat by default");
    }

    // --- events in the producers' payloads (TransitionService.leaseAlert, EffectLedger, JobReaper) ---

    private static EventEnvelope staleReclaim(String item, long previousToken, long token) {
        return Events.of(item, "LeaseReclaimed", Events.payload("kind", "stale", "taskId", item,
                "previousOwner", Events.payload("actor", "agent:developer", "instance", UUID.randomUUID().toString(),
                        "pid", 4242, "host", "runner-7", "since", "2026-11-28T03:58:00.123456Z"),
                "from", "development", "to", "review", "previousToken", previousToken, "token", token,
                "by", "stage-service@node-2"));
    }

    private static EventEnvelope forcedRelease(String item, long previousToken, String reason) {
        return Events.of(item, "LeaseReclaimed", Events.payload("kind", "forced", "taskId", item,
                "previousOwner", Events.payload("actor", "operator", "instance", UUID.randomUUID().toString(),
                        "pid", 17, "host", "ops-1"),
                "from", "testing", "to", "deploy-staging", "previousToken", previousToken, "by", "operator",
                "reason", reason));
    }

    private static EventEnvelope effectInDoubt(String item, String effect, long token, String detail) {
        return Events.of(item, "EffectInDoubt", Events.payload("taskId", item, "effect", effect, "from", "review",
                "to", "testing", "token", token, "detail", detail));
    }

    private static EventEnvelope jobReaped(String item, long jobId, int tier, String reason) {
        // reaper-service's id is stable per job; a fresh one here is the same content under a new id
        return Events.of(item, "JobReaped", Events.payload("taskId", item, "jobId", jobId, "tier", tier, "reason", reason));
    }

    // --- helpers ---

    private static String item(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void publish(String item, String json) {
        kafka.send(Topics.ALERTS, item, json);
    }

    /**
     * Sends a distinct alert on the same key and waits for its message: the consumer is ordered per
     * partition, so every alert published before it has been handled by then.
     */
    private void barrier(String item) {
        publish(item, Events.json(Events.of(item, "PlaneDriftUnmapped",
                Events.payload("taskId", item, "planeState", "barrier-" + UUID.randomUUID()))));
        await().atMost(WAIT).untilAsserted(() -> assertEquals(1, alertMessages(item, "barrier-").size(),
                "the barrier alert for " + item + " arrived"));
    }

    /** sendMessage bodies, in the order received, whose text names the work item and contains {@code part}. */
    private List<JsonNode> alertMessages(String item, String part) {
        List<LoggedRequest> requests = wm.findAll(postRequestedFor(urlPathEqualTo(SEND))
                .withRequestBody(matchingJsonPath("$.text", containing(item))));
        return requests.stream().map(AlertServiceTest::body).filter(b -> b.path("text").asText().contains(part)).toList();
    }

    private static JsonNode body(LoggedRequest request) {
        try {
            return JSON.readTree(request.getBodyAsString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The running configuration with no alert chat set. */
    private record WithoutAlertChat(TelegramConfig delegate) implements TelegramConfig {
        @Override
        public String apiUrl() {
            return delegate.apiUrl();
        }

        @Override
        public Optional<String> botToken() {
            return delegate.botToken();
        }

        @Override
        public Optional<String> chatId() {
            return delegate.chatId();
        }

        @Override
        public Optional<String> alertChatId() {
            return Optional.empty();
        }

        @Override
        public int maxAttempts() {
            return delegate.maxAttempts();
        }

        @Override
        public Duration backoff() {
            return delegate.backoff();
        }

        @Override
        public Duration maxBackoff() {
            return delegate.maxBackoff();
        }

        @Override
        public Duration maxRetryAfter() {
            return delegate.maxRetryAfter();
        }

        @Override
        public int messagesPerMinute() {
            return delegate.messagesPerMinute();
        }
    }
}
