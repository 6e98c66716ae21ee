package dev.baton.stage.retention;

import dev.baton.common.retention.BatchedPrune;
import dev.baton.common.retention.BrokerRetention;
import dev.baton.events.TopicRetention;
import dev.baton.events.Topics;
import dev.baton.stage.config.RetentionConfig;
import dev.baton.stage.metrics.StageMetrics;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Deletes what only grows: sent outbox rows and settled inbound events (the dedupe rows).
 * <ol>
 *   <li>Ask the broker each topic's {@code retention.ms}; no answer, no pruning this run.</li>
 *   <li>Each window is the configured one stretched to its topic's retention (never shorter), or
 *       "forever" when the topic keeps records forever: an inbound row goes only once Kafka can no
 *       longer redeliver its event (the record is at most as old as the row's first delivery).</li>
 *   <li>Delete in batches of {@code batch-size}, oldest first, each batch one short statement whose
 *       rows are claimed with {@code FOR UPDATE SKIP LOCKED} (replicas never wait on each other), at
 *       most {@code max-batches} per table per run.</li>
 * </ol>
 * Unsent outbox rows and inbound events still {@code pending}, {@code deferred} or {@code dead} are
 * never selected: the statements name the settled states only.
 */
@ApplicationScoped
public class RetentionService {

    private static final Logger LOG = Logger.getLogger(RetentionService.class);

    /** One batch of sent rows of one topic ($1) older than $2 seconds, at most $3. */
    static final String PRUNE_OUTBOX = """
            DELETE FROM stage.outbox WHERE id IN (
              SELECT id FROM stage.outbox
              WHERE topic = $1 AND sent_at IS NOT NULL AND sent_at < now() - make_interval(secs => $2)
              ORDER BY sent_at LIMIT $3 FOR UPDATE SKIP LOCKED)""";
    /** One batch of settled inbound events first delivered more than $1 seconds ago, at most $2. */
    static final String PRUNE_INBOUND = """
            DELETE FROM stage.inbound_event WHERE event_id IN (
              SELECT event_id FROM stage.inbound_event
              WHERE status IN ('applied', 'ignored') AND received_at < now() - make_interval(secs => $1)
              ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)""";

    /** Per outbox topic, and for the inbound events: how long rows are kept; empty = forever. */
    public record Windows(Map<String, Optional<Duration>> outbox, Optional<Duration> inbound) {
    }

    /** Rows deleted in one run. */
    public record Pruned(long outbox, long inbound) {
    }

    private final Pool pool;
    private final RetentionConfig config;
    private final StageMetrics metrics;
    private final BrokerRetention broker;

    public RetentionService(Pool pool, RetentionConfig config, StageMetrics metrics, BrokerRetention broker) {
        this.pool = pool;
        this.config = config;
        this.metrics = metrics;
        this.broker = broker;
    }

    /** A worker thread: the broker lookup blocks (bounded by broker-timeout). */
    @Scheduled(identity = "retention", every = "${baton.retention.every}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduled() {
        try {
            Pruned pruned = prune(windows(config.outbox(), config.inbound())).await().atMost(Duration.ofMinutes(10));
            if (pruned.outbox() + pruned.inbound() > 0) {
                LOG.infof("retention: deleted %d sent outbox rows and %d settled inbound events",
                        pruned.outbox(), pruned.inbound());
            }
        } catch (Exception e) {
            LOG.warnf("retention: nothing pruned this run: %s", e.getMessage());
        }
    }

    /** The configured floors stretched to what the broker keeps now. Blocking. */
    public Windows windows(Duration outboxFloor, Duration inboundFloor) throws Exception {
        Map<String, Optional<Duration>> retention = broker.of(Topics.ALL, config.brokerTimeout());
        Map<String, Optional<Duration>> outbox = new LinkedHashMap<>();
        retention.forEach((topic, kept) -> outbox.put(topic, TopicRetention.window(outboxFloor, List.of(kept))));
        return new Windows(outbox, TopicRetention.window(inboundFloor, List.of(retention.get(Topics.INBOUND))));
    }

    public Uni<Pruned> prune(Windows windows) {
        Uni<Long> outbox = Uni.createFrom().item(0L);
        for (Map.Entry<String, Optional<Duration>> topic : windows.outbox().entrySet()) {
            if (topic.getValue().isPresent()) {
                long seconds = topic.getValue().get().toSeconds();
                outbox = outbox.flatMap(sum -> BatchedPrune.drain(() -> pool.preparedQuery(PRUNE_OUTBOX)
                        .execute(Tuple.of(topic.getKey(), seconds, config.batchSize())).map(rows -> rows.rowCount()),
                        config).map(n -> sum + n));
            }
        }
        Uni<Long> inbound = windows.inbound().map(window -> BatchedPrune.drain(() -> pool.preparedQuery(PRUNE_INBOUND)
                        .execute(Tuple.of(window.toSeconds(), config.batchSize())).map(rows -> rows.rowCount()),
                config)).orElse(Uni.createFrom().item(0L));
        return outbox.invoke(n -> metrics.pruned(StageMetrics.OUTBOX, n))
                .flatMap(o -> inbound.invoke(n -> metrics.pruned(StageMetrics.INBOUND_EVENT, n))
                        .map(i -> new Pruned(o, i)));
    }
}
