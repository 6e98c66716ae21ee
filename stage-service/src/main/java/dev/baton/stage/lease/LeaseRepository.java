package dev.baton.stage.lease;

import dev.baton.stage.ProblemException;
import dev.baton.stage.config.LivenessConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The transition lease table. A lease is inserted only by the enter statement
 * ({@code stage.transition_enter}, under the task row lock) and deleted on success by the commit
 * statement ({@code dev.baton.stage.transition.TransitionRepository}); here are the other
 * decisions, each one self-checking statement: the reclaim is a CAS on the token, the release is
 * fenced by the token. 0 rows always means "someone else got there first".
 */
@ApplicationScoped
public class LeaseRepository {

    static final String SELECT_WITH_LIVENESS = """
            SELECT l.*, floor(extract(epoch FROM now() - l.acquired_at))::bigint AS age_s, %s AS live
            FROM stage.transition_lease l JOIN stage.instance i ON i.boot_id = l.owner_instance
            """.formatted(LivenessRegistration.LIVE_SQL);
    static final String FIND = SELECT_WITH_LIVENESS + " WHERE l.task_id = $1";
    static final String ALL = SELECT_WITH_LIVENESS + " ORDER BY l.acquired_at";
    /** Takes over a stale lease: a CAS on the token it was seen with, which also bumps the token. */
    static final String RECLAIM = """
            UPDATE stage.transition_lease
            SET token = nextval('stage.lease_token_seq'), owner_actor = $3, owner_instance = $4, owner_pid = $5,
                owner_host = $6, acquired_at = now()
            WHERE task_id = $1 AND token = $2
            RETURNING token""";
    /** Releases a lease only while the token is still ours: a fenced-off owner releases nothing. */
    static final String RELEASE = "DELETE FROM stage.transition_lease WHERE task_id = $1 AND token = $2";
    static final String FORCE_RELEASE = """
            DELETE FROM stage.transition_lease WHERE task_id = $1
            RETURNING token, owner_actor, owner_instance, owner_pid, owner_host, from_stage, to_stage""";
    /**
     * Registrations that are gone and own no lease any more. Registration is atomic (the row commits
     * with its lock held), so a fresh row is never seen without its lock; the grace ($1 seconds since
     * it registered) is the second line of defence should that ever change.
     */
    static final String FORGET_DEAD_INSTANCES = """
            DELETE FROM stage.instance i
            WHERE i.started_at < now() - make_interval(secs => $1) AND NOT %s
              AND NOT EXISTS (SELECT 1 FROM stage.transition_lease l WHERE l.owner_instance = i.boot_id)
            """.formatted(LivenessRegistration.LIVE_SQL);
    /** The foreign key a lease's owner must satisfy: its registration row. */
    static final String OWNER_FK = "transition_lease_owner_instance_fkey";
    private static final String FOREIGN_KEY_VIOLATION = "23503";

    private final Liveness liveness;
    private final LivenessConfig config;

    public LeaseRepository(Liveness liveness, LivenessConfig config) {
        this.liveness = liveness;
        this.config = config;
    }

    /** A lease force-released by an operator: who held it. */
    public record Released(long token, String ownerActor, String ownerInstance, long ownerPid, String ownerHost,
                           String from, String to) {
    }

    public Uni<Optional<Lease>> find(SqlClient client, String taskId) {
        return client.preparedQuery(FIND).execute(Tuple.of(taskId))
                .map(rows -> rows.rowCount() == 0 ? Optional.empty() : Optional.of(Lease.from(rows.iterator().next())));
    }

    public Uni<List<Lease>> all(SqlClient client) {
        return client.query(ALL).execute().map(rows -> {
            List<Lease> leases = new ArrayList<>();
            for (Row row : rows) {
                leases.add(Lease.from(row));
            }
            return leases;
        });
    }

    /** @return the new token, or empty if the lease changed since it was seen */
    public Uni<OptionalLong> reclaim(SqlClient client, Lease stale, String actor, ProcessIdentity owner) {
        return client.preparedQuery(RECLAIM)
                .execute(Tuple.from(new Object[] {stale.taskId(), stale.token(), actor, owner.bootId(), owner.pid(),
                        owner.host()}))
                .map(LeaseRepository::token)
                .onFailure(LeaseRepository::ownerUnregistered).transform(failure -> registrationLost(owner));
    }

    /** @return true if the lease was still ours and is now gone */
    public Uni<Boolean> release(SqlClient client, String taskId, long token) {
        return client.preparedQuery(RELEASE).execute(Tuple.of(taskId, token)).map(rows -> rows.rowCount() == 1);
    }

    public Uni<Optional<Released>> forceRelease(SqlClient client, String taskId) {
        return client.preparedQuery(FORCE_RELEASE).execute(Tuple.of(taskId)).map(rows -> {
            if (rows.rowCount() == 0) {
                return Optional.empty();
            }
            Row row = rows.iterator().next();
            return Optional.of(new Released(row.getLong("token"), row.getString("owner_actor"),
                    row.getUUID("owner_instance").toString(), row.getLong("owner_pid"), row.getString("owner_host"),
                    row.getString("from_stage"), row.getString("to_stage")));
        });
    }

    public Uni<Integer> forgetDeadInstances(SqlClient client) {
        return client.preparedQuery(FORGET_DEAD_INSTANCES).execute(Tuple.of(config.forgetGrace().toSeconds()))
                .map(rows -> rows.rowCount());
    }

    /** The owner's registration row is gone: a lease naming it violates the foreign key. */
    public static boolean ownerUnregistered(Throwable failure) {
        return failure instanceof PgException pg && FOREIGN_KEY_VIOLATION.equals(pg.getSqlState())
                && OWNER_FK.equals(pg.getConstraint());
    }

    /**
     * Our registration no longer exists although we still hold its lock: a lost registration,
     * not a server error. Liveness registers again under a new boot id; the caller gets a 503.
     */
    public ProblemException registrationLost(ProcessIdentity owner) {
        liveness.forget(owner);
        return new ProblemException(503, "Service Unavailable", "this instance's liveness registration "
                + owner.bootId() + " is gone; it enters no transition until registered again");
    }

    private static OptionalLong token(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        if (rows.rowCount() > 1) {
            throw new IllegalStateException("lease statement matched " + rows.rowCount() + " rows");
        }
        return rows.rowCount() == 0 ? OptionalLong.empty() : OptionalLong.of(rows.iterator().next().getLong("token"));
    }
}
