package dev.baton.stage.lease;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.stage.OtherOwners;
import dev.baton.stage.OutsideWireMock;
import dev.baton.stage.config.LivenessConfig;
import dev.baton.stage.job.RealPipeline;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.outbox;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.StageApi.transition;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two ways a liveness session ends without its process closing it, as far as a test on one
 * machine can show them (docs/adr/0001): the server-side keepalives that bound a vanished host are
 * really set on the liveness session, and a backend ended on the server ({@code pg_terminate_backend},
 * what the server does when keepalive probes go unanswered) makes the owner dead at once.
 */
@QuarkusTest
@TestProfile(RealPipeline.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = OutsideWireMock.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class LivenessKeepaliveTest {

    @Inject
    Vertx vertx;
    @Inject
    Pool pool;
    @Inject
    OtherOwners others;
    @ConfigProperty(name = "baton.pg.url")
    String url;
    @ConfigProperty(name = "baton.pg.user")
    String user;
    @ConfigProperty(name = "baton.pg.password")
    String password;

    @Test
    void theLivenessSessionCarriesTheConfiguredServerSideKeepalives() {
        PgConnection session = PgConnection.connect(vertx, Liveness.connectOptions(url, user, password, shortKeepalives()))
                .await().atMost(Duration.ofSeconds(10));
        try {
            Row row = session.query("""
                            SELECT current_setting('tcp_keepalives_idle') AS idle,
                                   current_setting('tcp_keepalives_interval') AS interval,
                                   current_setting('tcp_keepalives_count') AS count,
                                   current_setting('application_name') AS name,
                                   inet_client_addr() IS NOT NULL AS over_tcp""")
                    .execute().await().atMost(Duration.ofSeconds(5)).iterator().next();
            // Over a Unix socket PostgreSQL ignores these settings; the liveness session is TCP.
            assertTrue(row.getBoolean("over_tcp"));
            assertEquals("3", row.getString("idle"));
            assertEquals("2", row.getString("interval"));
            assertEquals("2", row.getString("count"));
            assertEquals("baton-stage-liveness", row.getString("name"));
        } finally {
            session.close().await().atMost(Duration.ofSeconds(5));
        }
    }

    @Test
    void anOwnerWhoseBackendTheServerEndedIsDeadAtOnceAndItsLeaseIsReclaimed() {
        String task = newTaskId("TERM");
        createTask(task, "acme/liveness", "created");
        AtomicBoolean lost = new AtomicBoolean();
        LivenessRegistration owner = LivenessRegistration.open(vertx,
                        Liveness.connectOptions(url, user, password, shortKeepalives()), 4343, "vanishing-host",
                        () -> lost.set(true))
                .await().atMost(Duration.ofSeconds(10));
        others.acquire(task, owner, "monitor", "created", "analysis");
        transition(task, "created", "analysis", "operator").then().statusCode(409).body("outcome", equalTo("deferred"));

        int terminated = pool.preparedQuery("""
                        SELECT pg_terminate_backend(pl.pid) AS ended FROM pg_locks pl, stage.instance i
                        WHERE i.boot_id = $1 AND pl.locktype = 'advisory' AND pl.granted AND pl.objsubid = 2
                          AND pl.classid = %d::oid AND pl.objid = i.lock_key::oid""".formatted(LivenessRegistration.NAMESPACE))
                .execute(Tuple.of(owner.identity().bootId()))
                .await().atMost(Duration.ofSeconds(5)).rowCount();
        assertEquals(1, terminated, "the owner's liveness backend");

        // No wait for a timeout: the lock went with the backend, so the very next entry reclaims.
        await().atMost(Duration.ofSeconds(10)).until(() -> transition(task, "created", "analysis", "operator")
                .statusCode() == 200);
        assertEquals("analysis", stageOf(task));
        assertEquals(1, outbox(task, "LeaseReclaimed"));
        await().atMost(Duration.ofSeconds(10)).untilTrue(lost);
    }

    /** Keepalives that would end a silent peer's session within about 7 s. */
    private static LivenessConfig shortKeepalives() {
        return new LivenessSettings(3, 2, 2, Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(30),
                Optional.of("vanishing-host"));
    }

    /** A record, not an anonymous class: Quarkus would intercept the constraints on it. */
    private record LivenessSettings(int keepalivesIdleSeconds, int keepalivesIntervalSeconds, int keepalivesCount,
                                    Duration reconnectDelay, Duration forgetGrace, Duration drainTimeout,
                                    Optional<String> host)
            implements LivenessConfig {
    }
}
