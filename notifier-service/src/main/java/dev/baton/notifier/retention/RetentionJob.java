package dev.baton.notifier.retention;

import dev.baton.common.retention.BatchedPrune;
import dev.baton.common.retention.BrokerRetention;
import dev.baton.events.TopicRetention;
import dev.baton.events.Topics;
import dev.baton.notifier.NotifierMetrics;
import dev.baton.notifier.config.RetentionConfig;
import dev.baton.notifier.repository.ProcessedEventRepository;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Deletes processed-event marks once Kafka can no longer redeliver their events.
 * <ol>
 *   <li>Ask the broker the retention of {@code baton.transitions} and {@code baton.alerts}; no answer,
 *       no pruning this run.</li>
 *   <li>The window is the configured one stretched to the longer of the two (never shorter), or
 *       "forever" when one keeps records forever: a mark is at least as young as its record.</li>
 *   <li>Delete in batches of {@code batch-size}, oldest first, {@code FOR UPDATE SKIP LOCKED}, at most
 *       {@code max-batches} per run.</li>
 * </ol>
 * Cards and the alert queue are not touched: pending cards and unsent alerts keep their own rows.
 */
@ApplicationScoped
public class RetentionJob {

    private static final Logger LOG = Logger.getLogger(RetentionJob.class);
    private static final List<String> TOPICS = List.of(Topics.TRANSITIONS, Topics.ALERTS);

    private final ProcessedEventRepository processed;
    private final RetentionConfig config;
    private final NotifierMetrics metrics;
    private final BrokerRetention broker;

    public RetentionJob(ProcessedEventRepository processed, RetentionConfig config, NotifierMetrics metrics,
                        BrokerRetention broker) {
        this.processed = processed;
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
            long pruned = window(config.processed()).map(w -> prune(w).await().atMost(Duration.ofMinutes(10))).orElse(0L);
            if (pruned > 0) {
                LOG.infof("retention: deleted %d processed-event marks", pruned);
            }
        } catch (Exception e) {
            LOG.warnf("retention: nothing pruned this run: %s", e.getMessage());
        }
    }

    /** The configured floor stretched to what the broker keeps now; empty = keep forever. Blocking. */
    public Optional<Duration> window(Duration floor) throws Exception {
        return TopicRetention.window(floor,
                broker.of(TOPICS, config.brokerTimeout()).values());
    }

    /** Deletes marks older than {@code window}, batch after batch, until one comes back short. */
    public Uni<Long> prune(Duration window) {
        return BatchedPrune.drain(() -> processed.pruneOlderThan(window, config.batchSize()), config)
                .invoke(n -> metrics.pruned(NotifierMetrics.PROCESSED_EVENT, n));
    }
}
