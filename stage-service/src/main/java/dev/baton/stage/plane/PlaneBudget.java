package dev.baton.stage.plane;

import dev.baton.stage.config.PlaneConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Plane's request budget, shared by every stage-service replica: at most
 * {@code baton.plane.requests-per-minute} requests in any 60 s, cluster-wide.
 * <ol>
 *   <li>in one transaction, take the budget's advisory transaction lock (grants are serialised,
 *       so two replicas never both see the 59th grant as free);</li>
 *   <li>count the grants of the last minute and add one only while under the limit, forgetting
 *       grants older than any window in the same statement.</li>
 * </ol>
 * The reaper's reconciler reads Plane with its own share of the same key
 * ({@code BATON_RECONCILER_REQUESTS_PER_MINUTE}, cluster-wide through its sweep turn); the two
 * shares add up to Plane's 60 by default.
 */
@ApplicationScoped
public class PlaneBudget {

    /** First key of the advisory lock space of request budgets ('BTN' 0x04). */
    static final int NAMESPACE = 0x42544E04;
    static final String BUDGET = "plane";
    static final String LOCK = "SELECT pg_advisory_xact_lock($1, hashtext($2))";
    /** $2 rows = granted; 0 rows = the budget of the last 60 s has no room for $2 more. */
    static final String GRANT = """
            WITH forgotten AS (
                DELETE FROM stage.rate_grant WHERE budget = $1 AND granted_at <= now() - interval '2 minutes'),
            recent AS (
                SELECT count(*) AS spent FROM stage.rate_grant WHERE budget = $1 AND granted_at > now() - interval '1 minute')
            INSERT INTO stage.rate_grant (budget, granted_at)
            SELECT $1, now() FROM recent, generate_series(1, $2) WHERE spent + $2 <= $3""";

    private final Pool pool;
    private final PlaneConfig config;

    public PlaneBudget(Pool pool, PlaneConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** Takes {@code requests} grants at once, or none. @return true when granted */
    public Uni<Boolean> tryAcquire(int requests) {
        return pool.withTransaction(c -> c.preparedQuery(LOCK).execute(Tuple.of(NAMESPACE, BUDGET))
                .chain(() -> c.preparedQuery(GRANT).execute(Tuple.of(BUDGET, requests, config.requestsPerMinute())))
                .map(rows -> rows.rowCount() == requests));
    }
}
