package dev.baton.notifier.sender;

import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.notifier.support.Db;
import dev.baton.notifier.support.Events;
import dev.baton.notifier.support.Replicas;
import dev.baton.notifier.support.TelegramFakeResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.baton.notifier.support.BotApiRequests.sends;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two notifier replicas (the application's {@link ChatSenders} and a second one built from the same
 * parts, sharing only the database and the Bot API): one sender per chat at a time, and when the
 * leader's database session dies (its replica was killed) the other takes the chat over within
 * seconds; no card is lost or sent twice across the handover.
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = TelegramFakeResource.class, scope = TestResourceScope.GLOBAL)
class SenderFailoverTest {

    static final String CHAT = TelegramFakeResource.CHAT;

    @Inject
    ChatSenders replicaA;
    @Inject
    Replicas replicas;

    private final KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());

    @Test
    void oneSenderPerChatAndTheOtherReplicaTakesOverWhenItDies() {
        ChatSenders replicaB = replicas.chatSenders();
        String run = UUID.randomUUID().toString().substring(0, 6);
        Instant testStart = Instant.now().minusSeconds(1);
        List<String> all = new ArrayList<>();
        try {
            // B leads first; A (the application's) then competes every poll and never gets the chat.
            replicaA.stop();
            replicaB.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> replicaB.led().contains(CHAT));
            replicaA.start();
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> replicaB.led().contains(CHAT) && !replicaA.led().contains(CHAT));

            List<String> before = publishItems("FAILA" + run, 10);
            all.addAll(before);
            await().atMost(Duration.ofSeconds(60)).until(() -> before.stream().allMatch(i -> sends(i + "<").size() == 1));

            // B's replica dies: its sender session is killed, and B never comes back.
            Instant killed = Instant.now();
            assertEquals(1, Db.count("""
                    SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l
                    WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 1112821251::oid
                      AND l.objid = hashtext(?)::oid""", CHAT));
            replicaB.stop();
            List<String> during = publishItems("FAILB" + run, 10);
            all.addAll(during);
            await().atMost(Duration.ofSeconds(30)).until(() -> replicaA.led().contains(CHAT));
            Duration takeover = Duration.between(killed, Instant.now());
            assertTrue(takeover.compareTo(Duration.ofSeconds(10)) < 0, "taken over in " + takeover);

            await().atMost(Duration.ofSeconds(60)).until(() -> during.stream().allMatch(i -> sends(i + "<").size() >= 1));
        } finally {
            replicaB.stop();
            replicaA.start();
        }
        // A sentinel item published last: once its card is out, everything before it is settled.
        String sentinel = publishItems("FAILS" + run, 1).get(0);
        await().atMost(Duration.ofSeconds(60)).until(() -> sends(sentinel + "<").size() == 1);
        for (String item : all) {
            assertEquals(1, sends(item + "<").size(), "one card for " + item);
        }
        // Every call was recorded for the budget, so a sender taking the chat over counts it.
        long recorded = Db.count("SELECT count(*) FROM notifier.chat_send WHERE chat_id = ? AND sent_at >= '"
                + testStart + "'::timestamptz", CHAT);
        assertTrue(recorded >= all.size() + 1, "calls recorded for the chat's budget: " + recorded);
    }

    private List<String> publishItems(String prefix, int count) {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String item = prefix + "-" + i;
            items.add(item);
            kafka.send(Topics.TRANSITIONS, item, Events.json(Events.created(item, "Failover", "created")));
            kafka.send(Topics.TRANSITIONS, item, Events.json(Events.moved(item, "StageAdvanced", "created", "analysis", 2)));
        }
        return items;
    }
}
