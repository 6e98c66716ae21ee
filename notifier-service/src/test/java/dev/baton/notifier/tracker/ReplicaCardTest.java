package dev.baton.notifier.tracker;

import dev.baton.events.EventEnvelope;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.baton.notifier.support.BotApiRequests.lastCardText;
import static dev.baton.notifier.support.BotApiRequests.sends;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The application's own consumer and chat sender, and a second "replica" (another
 * {@link CardSyncService} fed by its own consumer of the same partition, as after a rebalance),
 * bring the same work item's card up to date at the same time: still one card.
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = TelegramFakeResource.class, scope = TestResourceScope.GLOBAL)
class ReplicaCardTest {

    @Inject
    CardEventService events;
    @Inject
    Replicas replicas;

    /**
     * A rebalance hands a partition to another member, which re-reads it from the last committed
     * offset: both instances then see the same events. Here a second consumer (own group, so it
     * sees every record of the partition, from the real broker) feeds the second instance while
     * the application's own consumer feeds the first.
     */
    @Test
    void twoInstancesConsumingTheSamePartitionStillMakeOneCard() throws Exception {
        String item = "REBAL-" + UUID.randomUUID().toString().substring(0, 8);
        CardSyncService instanceB = replicas.cardSync();
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        ExecutorService replica = Executors.newSingleThreadExecutor();
        Future<?> loop = replica.submit(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BatonTestResource.servers().kafkaBootstrap(),
                    ConsumerConfig.GROUP_ID_CONFIG, "notifier-replica-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(Topics.TRANSITIONS));
                var json = new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules();
                while (running.get()) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                        if (!item.equals(record.key())) {
                            continue;
                        }
                        EventEnvelope event = json.readValue(record.value(), EventEnvelope.class);
                        if (events.apply(event, null).await().atMost(Duration.ofSeconds(10))) {
                            instanceB.sync(item);
                        }
                        seen.add(event.eventId());
                    }
                }
            }
            return null;
        });
        KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());
        List<EventEnvelope> sent = new ArrayList<>();
        sent.add(Events.created(item, "Rebalance", "created"));
        String[] stages = {"created", "analysis", "brd-approval", "architecture", "development"};
        for (int i = 1; i < stages.length; i++) {
            sent.add(Events.moved(item, "StageAdvanced", stages[i - 1], stages[i], i + 1));
        }
        for (EventEnvelope event : sent) {
            kafka.send(Topics.TRANSITIONS, item, Events.json(event));
        }
        try {
            await().atMost(Duration.ofSeconds(40)).until(() -> seen.size() == sent.size());
            await().atMost(Duration.ofSeconds(30)).until(() -> Db.count(
                    "SELECT count(*) FROM notifier.processed_event WHERE work_item = ?", item) == sent.size());
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                String last = lastCardText(item);
                return last != null && last.contains("🔄 Development");
            });
        } finally {
            running.set(false);
            loop.get(10, TimeUnit.SECONDS);
            replica.shutdownNow();
        }
        assertEquals(1, sends(item).size(), "one card for the work item");
    }
}
