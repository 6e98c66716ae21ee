package dev.baton.notifier.tracker;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.baton.events.EventEnvelope;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.infra.test.TestClock;
import dev.baton.notifier.support.Db;
import dev.baton.notifier.support.Events;
import dev.baton.notifier.support.TelegramFakeResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static dev.baton.notifier.support.BotApiRequests.cardTexts;
import static dev.baton.notifier.support.BotApiRequests.edits;
import static dev.baton.notifier.support.BotApiRequests.lastCardText;
import static dev.baton.notifier.support.BotApiRequests.sends;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The card through its life, in edit and bump mode, against WireMock as the Bot API. */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = TelegramFakeResource.class, scope = TestResourceScope.GLOBAL)
class TrackerCardTest {

    @Inject
    CardEventService events;
    @Inject
    CardSyncService sync;
    @Inject
    TestClock clock;

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

    /**
     * A work item's life in exactly the wire format stage-service's outbox relay sends: numbers as
     * numbers, {@code costUsd} as {@code BigDecimal.toPlainString()} strings, ids as numbers, nulls
     * where stage-service puts them. The card must add the string costs exactly.
     */
    @Test
    void stageServiceWireFormatGivesExactTotalsPrLinkAndReopenedRowsAfterARollback() {
        String item = "WIRE-" + UUID.randomUUID().toString().substring(0, 8);
        long run = 1_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);
        long job = run;
        String prUrl = "https://git.example.com/baton/baton/pulls/17";

        wire(item, "TaskCreated", "taskId", item, "repo", "baton/baton", "title", "Wire <format> & costs", "stage", "created");
        String[] path = {"created", "analysis", "brd-approval", "architecture", "development"};
        for (int i = 1; i < path.length; i++) {
            stageChange(item, "StageAdvanced", path[i - 1], path[i], "advance", i + 1L, null);
        }
        jobOpened(item, job, "development");
        agentRun(item, job, "development", run, "developer", "claude-sonnet-4", "high", 1, "0.10", 1200, 150);
        String twice = agentRun(item, job, "development", run + 1, "developer", "claude-opus-4", "high", 2, "0.333333", 3400, 420);
        kafka.send(Topics.TRANSITIONS, item, twice);
        wire(item, "PullRequestRecorded", "taskId", item, "prNumber", 17, "prUrl", prUrl,
                "headSha", "0123456789abcdef0123456789abcdef01234567");
        wire(item, "JobFinished", "taskId", item, "jobId", job, "stage", "development", "status", "done", "exitCode", 0);
        stageChange(item, "StageAdvanced", "development", "review", "advance", 6, null);
        jobOpened(item, job + 1, "review");
        agentRun(item, job + 1, "review", run + 2, "reviewer", "gpt-5", "medium", 1, "1.000000", 2000, 250);
        wire(item, "JobFinished", "taskId", item, "jobId", job + 1, "stage", "review", "status", "failed", "exitCode", 1);
        stageChange(item, "StageRolledBack", "review", "development", "rollback", 7, "review asked for changes");
        jobOpened(item, job + 2, "development");
        agentRun(item, job + 2, "development", run + 3, "developer", "claude-opus-4", "high", 3, "0.096667", 800, 90);

        // 0.10 + 0.333333 + 0.096667 = 0.53 (the redelivered run counted once); 1.000000 = 1.00; total 1.53.
        String expected = String.join("\n",
                "<b>" + item + "</b> — Wire &lt;format&gt; &amp; costs",
                "📁 <code>baton/baton</code> · <a href=\"" + prUrl + "\">PR #17</a>",
                "📍 Stage: <b>Development</b>",
                "",
                "✅ To Analyse",
                "✅ Analysis",
                "✅ BRD approval",
                "✅ Architecture",
                "🔄 Development",
                "⬜ Review",
                "⬜ Testing",
                "⬜ Deploying",
                "⬜ 📦 Deployed",
                "",
                "⚙️ Job Development: running",
                "",
                "🤖 <b>developer</b> · claude-opus-4 · high · attempt 3 · 3 runs — $0.53 · 5,400 in / 660 out",
                "🤖 <b>reviewer</b> · gpt-5 · medium · attempt 1 · 1 run — $1.00 · 2,000 in / 250 out",
                "💰 Total: $1.53 · 8,310 tokens");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(expected, lastCardText(item),
                "the card at the Bot API after the whole sequence"));

        assertEquals(1, sends(item).size(), "one card, edited in place");
        assertTrue(cardTexts(item).stream().anyMatch(t -> t.contains("✅ Development\n🔄 Review\n⬜ Testing")
                        && t.contains("developer</b> · claude-opus-4 · high · attempt 2 · 2 runs — $0.433333 · ") && t.contains("💰 Total: $1.433333 · 7,420 tokens")),
                "before the rollback the card showed Review as current and the exact sum so far: " + cardTexts(item));
    }

    /** Sends one event in the outbox relay's envelope; returns the JSON sent, for a redelivery. */
    private String wire(String item, String type, Object... payload) {
        String json = Events.json(Events.of(item, type, Events.payload(payload)));
        kafka.send(Topics.TRANSITIONS, item, json);
        return json;
    }

    /** TransitionService's payload for StageAdvanced / StageRolledBack / TaskCancelled. */
    private void stageChange(String item, String type, String from, String to, String kind, long version, String reason) {
        wire(item, type, "taskId", item, "repo", "baton/baton", "title", "Wire <format> & costs", "from", from, "to", to,
                "kind", kind, "actor", "operator", "reason", reason, "token", version * 10, "guarded", true,
                "version", version, "requestId", null);
    }

    /** JobQueue.enterStage, then JobService.pick. */
    private void jobOpened(String item, long jobId, String stage) {
        wire(item, "JobQueued", "taskId", item, "jobId", jobId, "stage", stage);
        wire(item, "JobStarted", "taskId", item, "jobId", jobId, "stage", stage, "runnerId", "runner-1");
    }

    /** JobService.recordRun: costUsd is {@code BigDecimal.toPlainString()}, everything else a number or text. */
    private String agentRun(String item, long jobId, String stage, long runId, String agent, String model, String effort,
                            int attempt, String costUsd, long tokensIn, long tokensOut) {
        return wire(item, "AgentRunRecorded", "taskId", item, "jobId", jobId, "stage", stage, "runId", runId,
                "agent", agent, "model", model, "effort", effort, "attempt", attempt, "costUsd", costUsd,
                "tokensIn", tokensIn, "tokensOut", tokensOut);
    }

    private void publish(EventEnvelope event) {
        kafka.send(Topics.TRANSITIONS, event.aggregateId(), Events.json(event));
    }

    private void apply(EventEnvelope event) {
        events.apply(event, null).await().atMost(Duration.ofSeconds(10));
    }
}
