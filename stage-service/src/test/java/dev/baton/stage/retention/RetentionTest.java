package dev.baton.stage.retention;

import dev.baton.events.TopicRetention;
import dev.baton.events.Topics;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.KafkaTestClient;
import dev.baton.stage.config.RetentionConfig;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention on the real PostgreSQL and the real broker: windows never shorter than what the broker
 * keeps, only settled rows deleted, and a pruned dedupe table still recognising every redelivery.
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class RetentionTest {

    private static final Pattern EVENT_ID = Pattern.compile("\"eventId\"\\s*:\\s*\"([^\"]+)\"");

    @Inject
    RetentionService retention;

    @Inject
    RetentionConfig config;

    @Inject
    MeterRegistry registry;

    private final KafkaTestClient kafka = new KafkaTestClient(BatonTestResource.servers().kafkaBootstrap());

    @Test
    void windowsAreNeverShorterThanWhatTheBrokerKeeps() throws Exception {
        Map<String, Optional<Duration>> broker = TopicRetention.of(BatonTestResource.servers().kafkaBootstrap(),
                Topics.ALL, Duration.ofSeconds(5));
        assertTrue(broker.values().stream().allMatch(Optional::isPresent), "the test broker bounds every topic: " + broker);

        RetentionService.Windows shortFloors = retention.windows(Duration.ofMinutes(1), Duration.ofMinutes(1));
        assertEquals(broker, shortFloors.outbox(), "a floor below the topic's retention gives way to it");
        assertEquals(broker.get(Topics.INBOUND), shortFloors.inbound());

        RetentionService.Windows longFloors = retention.windows(Duration.ofDays(3650), Duration.ofDays(3650));
        assertEquals(Optional.of(Duration.ofDays(3650)), longFloors.inbound(), "a floor above it stands");
        assertTrue(longFloors.outbox().values().stream().allMatch(w -> w.equals(Optional.of(Duration.ofDays(3650)))));

        assertEquals(Optional.empty(), TopicRetention.window(Duration.ofDays(1), List.of(Optional.empty())),
                "a topic kept forever keeps its rows forever");
    }

    @Test
    void onlySettledRowsOlderThanTheirWindowAreDeleted() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        long oldSent = outbox(tag + "-old-sent", "40 days", "40 days");
        long youngSent = outbox(tag + "-young-sent", "1 day", "1 day");
        inbound(tag + "-old-applied", "applied", "20 days");
        inbound(tag + "-old-ignored", "ignored", "20 days");
        inbound(tag + "-young-applied", "applied", "1 day");
        inbound(tag + "-old-dead", "dead", "20 days");
        inbound(tag + "-old-deferred", "deferred", "20 days");

        RetentionService.Pruned pruned = retention.prune(retention.windows(config.outbox(), config.inbound()))
                .await().atMost(Duration.ofSeconds(30));

        assertTrue(pruned.outbox() >= 1 && pruned.inbound() >= 2, "pruned " + pruned);
        assertEquals(0, count("SELECT count(*) FROM stage.outbox WHERE id = ?", oldSent));
        assertEquals(1, count("SELECT count(*) FROM stage.outbox WHERE id = ?", youngSent));
        assertEquals(List.of(tag + "-old-dead", tag + "-old-deferred", tag + "-young-applied"), inboundIds(tag));
    }

    @Test
    void unsentOutboxRowsAndPendingEventsAreNeverSelected() throws Exception {
        // Inside a transaction that is rolled back: the relay and the retry poller never see these rows.
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try {
                long unsent = insertOutbox(c, "unsent-" + UUID.randomUUID(), "40 days", null);
                String pending = "pending-" + UUID.randomUUID();
                insertInbound(c, pending, "pending", "40 days");
                run(c, RetentionService.PRUNE_OUTBOX, Topics.TRANSITIONS, config.outbox().toSeconds(), 1000);
                run(c, RetentionService.PRUNE_INBOUND, config.inbound().toSeconds(), 1000);
                assertEquals(1, count(c, "SELECT count(*) FROM stage.outbox WHERE id = ?", unsent));
                assertEquals(1, count(c, "SELECT count(*) FROM stage.inbound_event WHERE event_id = ?", pending));
            } finally {
                c.rollback();
            }
        }
    }

    /**
     * Events consumed through Kafka, a prune, then every one of them delivered again: each is
     * recognised as a redelivery (nothing applies twice), and every event still on the topic has its row.
     */
    @Test
    void aPrunedTableStillRecognisesEveryEventKafkaCanRedeliver() throws Exception {
        String key = "KEEP-" + UUID.randomUUID().toString().substring(0, 8);
        int events = 10;
        List<String> probes = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            probes.add("""
                    {"eventId":"%s","aggregateType":"task","aggregateId":"%s","eventType":"RetentionProbe",
                     "occurredAt":"2026-11-28T00:00:00Z","payload":{}}""".formatted(UUID.randomUUID(), key));
        }
        kafka.send(Topics.INBOUND, key, probes);
        await().atMost(Duration.ofSeconds(30)).until(() -> settled(key) == events);
        inbound(key + "-expired", "applied", "20 days");

        RetentionService.Pruned pruned = retention.prune(retention.windows(config.outbox(), config.inbound()))
                .await().atMost(Duration.ofSeconds(30));
        assertTrue(pruned.inbound() >= 1, "the expired row went: " + pruned);

        double before = registry.counter("baton.inbound", "result", "redelivery").count();
        List<ConsumerRecord<String, String>> onTopic = kafka.publishedBefore(Topics.INBOUND, key, Duration.ofSeconds(30));
        assertEquals(events, onTopic.size());
        kafka.send(Topics.INBOUND, key, onTopic.stream().map(ConsumerRecord::value).toList());
        await().atMost(Duration.ofSeconds(30)).until(
                () -> registry.counter("baton.inbound", "result", "redelivery").count() - before >= events);
        assertEquals(events, registry.counter("baton.inbound", "result", "redelivery").count() - before, 0.0);
        assertEquals(events, settled(key), "no event applied again");

        // Every event the broker still holds (older than a few seconds, so consumed) has its dedupe row.
        List<String> missing = new ArrayList<>();
        long consumedBefore = System.currentTimeMillis() - 5_000;
        for (ConsumerRecord<String, String> record : kafka.await(Topics.INBOUND, r -> r.timestamp() < consumedBefore,
                Integer.MAX_VALUE, Duration.ofSeconds(2))) {
            Matcher id = EVENT_ID.matcher(String.valueOf(record.value()));
            if (id.find() && count("SELECT count(*) FROM stage.inbound_event WHERE event_id = ?", id.group(1)) == 0) {
                missing.add(id.group(1));
            }
        }
        assertEquals(List.of(), missing, "events on the topic without a dedupe row");
    }

    private static long settled(String key) throws Exception {
        return count("SELECT count(*) FROM stage.inbound_event WHERE work_item = ? AND status IN ('applied', 'ignored')", key);
    }

    private static long outbox(String aggregate, String occurredAgo, String sentAgo) throws Exception {
        try (Connection c = connect()) {
            return insertOutbox(c, aggregate, occurredAgo, sentAgo);
        }
    }

    private static long insertOutbox(Connection c, String aggregate, String occurredAgo, String sentAgo) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO stage.outbox (event_id, topic, aggregate_type, aggregate_id, event_type, payload, occurred_at, sent_at)
                VALUES (gen_random_uuid(), ?, 'task', ?, 'RetentionProbe', '{}', now() - ?::interval,
                        CASE WHEN ?::text IS NULL THEN NULL ELSE now() - ?::interval END) RETURNING id""")) {
            ps.setString(1, Topics.TRANSITIONS);
            ps.setString(2, aggregate);
            ps.setString(3, occurredAgo);
            ps.setString(4, sentAgo);
            ps.setString(5, sentAgo);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void inbound(String eventId, String status, String receivedAgo) throws Exception {
        try (Connection c = connect()) {
            insertInbound(c, eventId, status, receivedAgo);
        }
    }

    /** A deferred row is not due for an hour, so the retry poller leaves it alone. */
    private static void insertInbound(Connection c, String eventId, String status, String receivedAgo) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO stage.inbound_event (event_id, work_item, event_type, payload, status, received_at, next_at)
                VALUES (?, ?, 'RetentionProbe', '{}', ?, now() - ?::interval, now() + interval '1 hour')""")) {
            ps.setString(1, eventId);
            ps.setString(2, eventId.substring(0, eventId.indexOf('-') < 0 ? eventId.length() : eventId.indexOf('-')));
            ps.setString(3, status);
            ps.setString(4, receivedAgo);
            ps.executeUpdate();
        }
    }

    private static List<String> inboundIds(String tag) throws Exception {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT event_id FROM stage.inbound_event WHERE event_id LIKE ? ORDER BY event_id")) {
            ps.setString(1, tag + "-%");
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        }
    }

    /** A repository statement as the service runs it, its {@code $n} placeholders bound by JDBC. */
    private static int run(Connection c, String sql, Object... args) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql.replaceAll("\\$\\d+", "?"))) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    private static long count(String sql, Object arg) throws Exception {
        try (Connection c = connect()) {
            return count(c, sql, arg);
        }
    }

    private static long count(Connection c, String sql, Object arg) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, arg);
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
