package dev.baton.notifier.retention;

import dev.baton.events.TopicRetention;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.notifier.config.RetentionConfig;
import dev.baton.notifier.support.TelegramFakeResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Processed-event retention on the real PostgreSQL and broker: the window never undercuts what the
 * broker keeps, old marks go, and after a prune every event still on the topic is recognised when
 * delivered again (no second alert).
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = TelegramFakeResource.class, scope = TestResourceScope.GLOBAL)
class RetentionJobTest {

    private static final String TYPE = "RetentionProbe";

    @Inject
    RetentionJob retention;

    @Inject
    RetentionConfig config;

    @Inject
    MeterRegistry registry;

    private final KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());

    @Test
    void theWindowIsNeverShorterThanWhatTheBrokerKeeps() throws Exception {
        Optional<Duration> longest = TopicRetention.of(BatonTestResource.servers().kafkaBootstrap(),
                List.of(Topics.TRANSITIONS, Topics.ALERTS), Duration.ofSeconds(5)).values().stream()
                .map(Optional::orElseThrow).max(Duration::compareTo);
        assertEquals(longest, retention.window(Duration.ofMinutes(1)));
        assertEquals(Optional.of(Duration.ofDays(3650)), retention.window(Duration.ofDays(3650)));
    }

    @Test
    void aPrunedTableStillRecognisesEveryEventKafkaCanRedeliver() throws Exception {
        String item = "KEEP-" + UUID.randomUUID().toString().substring(0, 8);
        int events = 10;
        List<String> probes = new java.util.ArrayList<>();
        for (int i = 0; i < events; i++) {
            probes.add(alert(UUID.randomUUID().toString(), item, TYPE));
        }
        kafka.send(Topics.ALERTS, item, probes);
        await().atMost(Duration.ofSeconds(30)).until(() -> marks(item) == events);
        String expired = "expired-" + UUID.randomUUID();
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO notifier.processed_event (event_id, work_item, event_type, processed_at)
                VALUES (?, ?, ?, now() - interval '60 days')""")) {
            ps.setString(1, expired);
            ps.setString(2, item + "-old");
            ps.setString(3, TYPE);
            ps.executeUpdate();
        }

        long pruned = retention.prune(retention.window(config.processed()).orElseThrow()).await().atMost(Duration.ofSeconds(30));

        assertTrue(pruned >= 1, "pruned " + pruned);
        assertEquals(0, count("SELECT count(*) FROM notifier.processed_event WHERE event_id = ?", expired));
        assertEquals(events, marks(item), "the marks of events Kafka still holds stay");

        double handled = alertsHandled();
        List<ConsumerRecord<String, String>> onTopic = kafka.publishedBefore(Topics.ALERTS, item, Duration.ofSeconds(30));
        assertEquals(events, onTopic.size());
        kafka.send(Topics.ALERTS, item, onTopic.stream().map(ConsumerRecord::value).toList());
        // One key, one partition, in order: once the sentinel is handled every redelivery before it was too.
        String sentinel = UUID.randomUUID().toString();
        kafka.send(Topics.ALERTS, item, alert(sentinel, item, "RetentionSentinel"));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> count("SELECT count(*) FROM notifier.processed_event WHERE event_id = ?", sentinel) == 1);
        assertEquals(handled, alertsHandled(), 0.0, "a redelivered alert reached the alert service again");
        assertEquals(events + 1, marks(item), "the probes' marks and the sentinel's, nothing more");
    }

    /** Alerts of the probe type the alert service took in: queued or deduplicated (sending them is later). */
    private double alertsHandled() {
        return registry.find("baton.notifier.alerts").tag("type", TYPE).counters().stream()
                .filter(c -> List.of("queued", "deduplicated").contains(c.getId().getTag("outcome")))
                .mapToDouble(c -> c.count()).sum();
    }

    private static String alert(String eventId, String item, String type) {
        return """
                {"eventId":"%s","aggregateType":"task","aggregateId":"%s","eventType":"%s",
                 "occurredAt":"2026-11-28T00:00:00Z","payload":{}}""".formatted(eventId, item, type);
    }

    private static long marks(String item) throws Exception {
        return count("SELECT count(*) FROM notifier.processed_event WHERE work_item = ?", item);
    }

    private static long count(String sql, String arg) throws Exception {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Connection connect() throws Exception {
        BatonTestResource.Servers s = BatonTestResource.servers();
        return DriverManager.getConnection(s.jdbcUrl(), s.pgUser(), s.pgPassword());
    }
}
