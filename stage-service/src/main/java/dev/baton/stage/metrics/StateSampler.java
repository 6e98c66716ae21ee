package dev.baton.stage.metrics;

import dev.baton.stage.lease.LivenessRegistration;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Reads what the dashboards and alerts watch (leases live and stale, effects in doubt, inbound events
 * waiting and dead, the unsent outbox) in one statement, every 15 s: about one Prometheus scrape
 * interval, and a scrape itself never waits on the database.
 */
@ApplicationScoped
public class StateSampler {

    private static final Logger LOG = Logger.getLogger(StateSampler.class);

    /** One row of counts; each sub-select is served by a partial index or a small table. */
    static final String SAMPLE = """
            SELECT
              (SELECT count(*) FROM stage.transition_lease l JOIN stage.instance i ON i.boot_id = l.owner_instance
               WHERE %1$s) AS leases_live,
              (SELECT count(*) FROM stage.transition_lease l JOIN stage.instance i ON i.boot_id = l.owner_instance
               WHERE NOT %1$s) AS leases_stale,
              (SELECT count(*) FROM stage.transition_effect WHERE status = 'in_doubt') AS in_doubt,
              (SELECT count(*) FROM stage.inbound_event WHERE status IN ('pending', 'deferred')) AS inbound_waiting,
              (SELECT count(*) FROM stage.inbound_event WHERE status = 'dead') AS inbound_dead,
              (SELECT count(*) FROM stage.outbox WHERE sent_at IS NULL) AS outbox_unsent,
              (SELECT coalesce(extract(epoch FROM now() - min(occurred_at)), 0)::float8
               FROM stage.outbox WHERE sent_at IS NULL) AS outbox_oldest_s
            """.formatted(LivenessRegistration.LIVE_SQL);

    private final Pool pool;
    private final StageMetrics metrics;

    public StateSampler(Pool pool, StageMetrics metrics) {
        this.pool = pool;
        this.metrics = metrics;
    }

    @Scheduled(every = "15s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> scheduled() {
        return sample().onFailure().invoke(e -> LOG.debugf("state sample skipped: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Samples now; the gauges keep the last good sample while the database is away. */
    public Uni<StageMetrics.State> sample() {
        return pool.query(SAMPLE).execute().map(rows -> {
            Row r = rows.iterator().next();
            StageMetrics.State state = new StageMetrics.State(r.getLong("leases_live"), r.getLong("leases_stale"),
                    r.getLong("in_doubt"), r.getLong("inbound_waiting"), r.getLong("inbound_dead"),
                    r.getLong("outbox_unsent"), r.getDouble("outbox_oldest_s"));
            metrics.state(state);
            return state;
        });
    }
}
