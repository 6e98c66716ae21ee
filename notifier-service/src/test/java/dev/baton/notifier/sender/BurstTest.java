package dev.baton.notifier.sender;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.baton.events.EventEnvelope;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.infra.test.TestClock;
import dev.baton.notifier.support.Db;
import dev.baton.notifier.support.Events;
import dev.baton.notifier.support.FastForward;
import dev.baton.notifier.support.RealChatLimit;
import dev.baton.notifier.support.TelegramFakeResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.baton.notifier.support.BotApiRequests.EDIT;
import static dev.baton.notifier.support.BotApiRequests.SEND;
import static dev.baton.notifier.support.BotApiRequests.edits;
import static dev.baton.notifier.support.BotApiRequests.sends;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The incident: about 190 work items moved through a few stages within a minute, all cards in
 * one team chat, at Telegram's real 20 messages a minute. The notifier held each Kafka record until
 * its card was sent; after 62 s the connector reported records waiting too long to be
 * acknowledged and health went DOWN for good (a restart loop in Kubernetes).
 *
 * <p>Here: 150 items × 4 events in a burst on the real broker, the real per-chat limit (20/min).
 * For the first 75 s of real time (past the connector's 60 s limit on an unacknowledged record)
 * nothing is faked: every event is consumed and committed within seconds, liveness and readiness
 * stay UP, and the chat gets at most 20 calls in any minute. Then the budget's waits move the test
 * clock instead of sleeping (still 20 per 60 s of the clock's time), so the remaining ~130 cards
 * drain in seconds rather than 7 minutes, and every card converges to its item's last stage with
 * exactly one message, the budget kept in every window.
 */
@QuarkusTest
@TestProfile(RealChatLimit.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = TelegramFakeResource.class, scope = TestResourceScope.GLOBAL)
class BurstTest {

    static final int ITEMS = 150;
    static final int LIMIT = RealChatLimit.LIMIT;
    static final String[] STAGES = {"created", "analysis", "brd-approval", "architecture"};

    @Inject
    TestClock clock;
    @Inject
    FastForward fastForward;

    private final WireMockServer wm = TelegramFakeResource.server();
    private final KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());

    @AfterEach
    void realTimeAgain() {
        fastForward.off();
        // The budget's record now holds instants of the moved clock; no later sender may count them.
        Db.execute("DELETE FROM notifier.chat_send");
    }

    @Test
    void aBurstInOneChatIsAcknowledgedAtOnceAndEveryCardConvergesWithinTheChatsBudget() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 6);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            items.add("BURST" + run + "-" + i);
        }
        // Every Bot API call to the chat, stamped with the application's clock when it arrives.
        ConcurrentLinkedQueue<Instant> calls = new ConcurrentLinkedQueue<>();
        wm.addMockServiceRequestListener((request, response) -> {
            if (request.getUrl().startsWith(SEND) || request.getUrl().startsWith(EDIT)) {
                calls.add(clock.instant());
            }
        });
        ConcurrentLinkedQueue<String> unhealthy = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService probe = Executors.newSingleThreadScheduledExecutor();
        probe.scheduleWithFixedDelay(() -> {
            for (String path : List.of("/q/health/live", "/q/health/ready")) {
                int status = given().port(ManagementInterface.port()).get(path).statusCode();
                if (status != 200) {
                    unhealthy.add(path + " " + status + " at " + Instant.now());
                }
            }
        }, 0, 2, TimeUnit.SECONDS);
        try {
            Instant burst = Instant.now();
            for (int stage = 0; stage < STAGES.length; stage++) {
                for (String item : items) {
                    EventEnvelope event = stage == 0 ? Events.created(item, "Burst " + item, STAGES[0])
                            : Events.moved(item, "StageAdvanced", STAGES[stage - 1], STAGES[stage], stage + 1);
                    kafka.send(Topics.TRANSITIONS, item, Events.json(event));
                }
            }

            // Acknowledged at once: every event folded and the group's committed offsets at the end.
            await().atMost(Duration.ofSeconds(60)).until(() -> Db.count(
                    "SELECT count(*) FROM notifier.processed_event WHERE work_item LIKE ?", "BURST" + run + "-%")
                    == (long) ITEMS * STAGES.length);
            await().atMost(Duration.ofSeconds(30)).until(() -> lag("baton-notifier-service", Topics.TRANSITIONS) == 0);

            // Past the connector's 60 s limit, in real time, at the real budget.
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> Duration.between(burst, Instant.now()).toSeconds() >= 75);
            assertTrue(unhealthy.isEmpty(), "health stayed UP through the burst: " + unhealthy);
            long sentSoFar = items.stream().filter(i -> !sends(i + "<").isEmpty()).count();
            assertTrue(sentSoFar > 0 && sentSoFar < ITEMS, "cards went out at the budget's pace: " + sentSoFar);
            assertTrue(maxInAnyWindow(calls) <= LIMIT, "at most " + LIMIT + " calls in any minute: " + maxInAnyWindow(calls));

            fastForward.on();
            await().atMost(Duration.ofSeconds(120)).until(() -> items.stream().allMatch(this::showsLastStage));
            assertTrue(unhealthy.isEmpty(), "health stayed UP while the backlog drained: " + unhealthy);
        } finally {
            probe.shutdownNow();
        }

        List<String> duplicated = items.stream().filter(i -> sends(i + "<").size() != 1).collect(Collectors.toList());
        assertEquals(List.of(), duplicated, "items without exactly one message");
        assertTrue(maxInAnyWindow(calls) <= LIMIT, "at most " + LIMIT + " calls in any 60 s window of the clock: "
                + maxInAnyWindow(calls));
        given().port(ManagementInterface.port()).get("/q/health/ready").then().statusCode(200);
    }

    /** The card's message, as last sent or edited, names the item's last stage as its current one. */
    private boolean showsLastStage(String item) {
        Long message = Db.messageId(item);
        if (message == null) {
            return false;
        }
        List<LoggedRequest> edits = edits(message);
        List<LoggedRequest> texts = edits.isEmpty() ? sends(item + "<") : edits;
        return texts.get(texts.size() - 1).getBodyAsString().contains("<b>Architecture</b>");
    }


    static int maxInAnyWindow(ConcurrentLinkedQueue<Instant> calls) {
        List<Instant> sorted = new ArrayList<>(calls);
        Collections.sort(sorted);
        int max = 0;
        int start = 0;
        for (int end = 0; end < sorted.size(); end++) {
            while (!sorted.get(start).plusSeconds(60).isAfter(sorted.get(end))) {
                start++;
            }
            max = Math.max(max, end - start + 1);
        }
        return max;
    }

    /** Records of {@code topic} the group has not committed yet, read from the real broker. */
    static long lag(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                BatonTestResource.servers().kafkaBootstrap()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = committed.keySet().stream()
                    .filter(tp -> tp.topic().equals(topic))
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            long lag = 0;
            for (TopicPartition tp : latest.keySet()) {
                lag += ends.get(tp).offset() - committed.get(tp).offset();
            }
            return latest.isEmpty() ? Long.MAX_VALUE : lag;
        }
    }
}
