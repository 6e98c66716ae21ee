package dev.baton.stage;

import dev.baton.stage.config.LivenessConfig;
import dev.baton.stage.lease.Liveness;
import dev.baton.stage.lease.LivenessRegistration;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;

/**
 * Another stage-service "process" inside the test: its own boot id and liveness lock on its own
 * connection, able to take a lease and record an effect started, then die (sever the connection).
 */
@ApplicationScoped
public class OtherOwners {

    private final Vertx vertx;
    private final Pool pool;
    private final LivenessConfig config;
    private final String url;
    private final String user;
    private final String password;

    public OtherOwners(Vertx vertx, Pool pool, LivenessConfig config,
                       @ConfigProperty(name = "baton.pg.url") String url,
                       @ConfigProperty(name = "baton.pg.user") String user,
                       @ConfigProperty(name = "baton.pg.password") String password) {
        this.vertx = vertx;
        this.pool = pool;
        this.config = config;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    public LivenessRegistration register() {
        return LivenessRegistration.open(vertx, Liveness.connectOptions(url, user, password, config), 4242,
                "other-host", () -> { }).await().atMost(Duration.ofSeconds(10));
    }

    /** The lease row that the other process's enter statement would have inserted; its token. */
    public long acquire(String task, LivenessRegistration owner, String actor, String from, String to) {
        return pool.preparedQuery("""
                        INSERT INTO stage.transition_lease (task_id, token, owner_actor, owner_instance, owner_pid,
                                                            owner_host, from_stage, to_stage, reason, request_id)
                        VALUES ($1, nextval('stage.lease_token_seq'), $2, $3, $4, $5, $6, $7, 'owner that will die', $8)
                        RETURNING token""")
                .execute(Tuple.from(new Object[] {task, actor, owner.identity().bootId(), owner.identity().pid(),
                        owner.identity().host(), from, to, "req-" + task}))
                .await().atMost(Duration.ofSeconds(5)).iterator().next().getLong("token");
    }

    /** The owner recorded {@code effect} started (at the task's version 0) and then died. */
    public void startedEffect(String task, String effect, long token, String from, String to) {
        pool.preparedQuery("""
                        INSERT INTO stage.transition_effect (task_id, transition_seq, effect, token, from_stage, to_stage, status)
                        VALUES ($1, 0, $2, $3, $4, $5, 'started')""")
                .execute(Tuple.of(task, effect, token, from, to)).await().atMost(Duration.ofSeconds(5));
    }

    /** A task whose owner died inside {@code effect} of {@code from -> to}. */
    public void diedInside(String task, String effect, String from, String to) {
        LivenessRegistration other = register();
        long token = acquire(task, other, "monitor", from, to);
        startedEffect(task, effect, token, from, to);
        other.sever().await().atMost(Duration.ofSeconds(5));
    }
}
