package dev.baton.notifier.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;

/** Alerts sent, by content key, so the same alert is not repeated within a window (across replicas too). */
@ApplicationScoped
public class AlertRepository {

    /** 1 row = this replica sends it; 0 rows = the same alert went out within the window. */
    static final String CLAIM = """
            INSERT INTO notifier.alert_sent (dedupe_key, sent_at) VALUES ($1, $2)
            ON CONFLICT (dedupe_key) DO UPDATE SET sent_at = EXCLUDED.sent_at
            WHERE alert_sent.sent_at <= $3""";

    private final Pool pool;

    public AlertRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Boolean> claim(String dedupeKey, Instant now, Duration window) {
        return pool.preparedQuery(CLAIM)
                .execute(Tuple.of(dedupeKey, CardRepository.utc(now), CardRepository.utc(now.minus(window))))
                .map(rows -> rows.rowCount() == 1);
    }
}
