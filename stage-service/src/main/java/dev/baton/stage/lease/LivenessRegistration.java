package dev.baton.stage.lease;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;

import java.util.UUID;

/**
 * One registration of a process in {@code stage.instance}, with its session advisory lock
 * held on a dedicated connection for as long as the registration lives.
 *
 * <ol>
 *   <li>open a dedicated connection (never pooled: a pooler would move the session);</li>
 *   <li>in ONE statement, insert the instance row (which allocates a unique lock key) and take
 *       {@code pg_advisory_lock(NAMESPACE, lock_key)} on that connection.</li>
 * </ol>
 * One statement because the row becomes visible to other sessions only when the statement
 * commits, and by then the lock is held: no other replica's sweep can ever see this row without
 * its lock and forget it (with two statements, the sweep deleted the fresh row in between, and the
 * process then held a lock for a registration that no longer existed: every lease insert failed
 * on the foreign key).
 * From then on, any session can tell this registration live iff the lock shows in
 * {@code pg_locks} ({@link #LIVE_SQL}). The lock goes when the connection goes: process death,
 * kill, network loss (bounded by the server-side TCP keepalives set at connect).
 */
public final class LivenessRegistration {

    /** First key of the two-int advisory lock space Baton uses for liveness ('BTN' 0x01). */
    public static final int NAMESPACE = 0x42544E01;

    /**
     * SQL predicate over an {@code stage.instance} row aliased {@code i}: its lock is held now.
     * Advisory locks taken as (int, int) show as classid = key1, objid = key2, objsubid = 2.
     */
    public static final String LIVE_SQL = """
            EXISTS (SELECT 1 FROM pg_locks pl
                    WHERE pl.locktype = 'advisory' AND pl.granted AND pl.objsubid = 2
                      AND pl.classid = %d::oid AND pl.objid = i.lock_key::oid
                      AND pl.database = (SELECT oid FROM pg_database WHERE datname = current_database()))"""
            .formatted(NAMESPACE);

    /** Registers and locks atomically: the row commits with its lock already held. */
    static final String REGISTER = """
            WITH registered AS (
                INSERT INTO stage.instance (boot_id, pid, host) VALUES ($1, $2, $3) RETURNING lock_key)
            SELECT lock_key, pg_advisory_lock(%d, lock_key) FROM registered""".formatted(NAMESPACE);

    private final ProcessIdentity identity;
    private final PgConnection connection;

    private LivenessRegistration(ProcessIdentity identity, PgConnection connection) {
        this.identity = identity;
        this.connection = connection;
    }

    /**
     * Registers a fresh boot id for this process and holds its lock. {@code onLost} runs once
     * if the connection closes for any reason other than {@link #close()}.
     */
    public static Uni<LivenessRegistration> open(Vertx vertx, PgConnectOptions options, long pid, String host,
                                                 Runnable onLost) {
        ProcessIdentity identity = new ProcessIdentity(UUID.randomUUID(), pid, host);
        return PgConnection.connect(vertx, options).flatMap(connection -> connection
                .preparedQuery(REGISTER).execute(Tuple.of(identity.bootId(), pid, host))
                .map(ignored -> {
                    LivenessRegistration registration = new LivenessRegistration(identity, connection);
                    connection.closeHandler(() -> {
                        if (!registration.closedOnPurpose) {
                            onLost.run();
                        }
                    });
                    return registration;
                })
                .onFailure().call(connection::close));
    }

    private volatile boolean closedOnPurpose;

    public ProcessIdentity identity() {
        return identity;
    }

    /** Ends the registration: the lock is released with the session. */
    public Uni<Void> close() {
        closedOnPurpose = true;
        return connection.close();
    }

    /** Drops the connection as a crash would: {@code onLost} runs. For fault tests. */
    public Uni<Void> sever() {
        return connection.close();
    }
}
