package dev.baton.stage.lease;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.stage.OtherOwners;
import dev.baton.stage.ProbeEffect;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.baton.stage.StageApi.GUARDED_REPO;
import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.stageOf;
import static dev.baton.stage.StageApi.transition;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica's registration against another replica's recovery sweep, on the real PostgreSQL.
 * The incident: registration inserted the instance row and took its lock in two statements; a
 * sweep in between saw a row without its lock, owning no lease, and deleted it, and the new
 * process then held a lock for a registration that no longer existed (every lease insert failed
 * on the foreign key, answered 500, while readiness stayed UP).
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class RegistrationRaceTest {

    static final int REGISTERING_THREADS = 3;
    static final int REGISTRATIONS_PER_THREAD = 15;
    static final int SWEEPING_THREADS = 2;

    @Inject
    OtherOwners others;
    @Inject
    Pool pool;
    @Inject
    Liveness liveness;
    @Inject
    ProbeEffect probe;

    @Test
    void aRegistrationIsNeverForgottenByASweepRacingIt() throws Exception {
        AtomicBoolean registering = new AtomicBoolean(true);
        AtomicLong sweeps = new AtomicLong();
        ExecutorService threads = Executors.newFixedThreadPool(REGISTERING_THREADS + SWEEPING_THREADS);
        List<LivenessRegistration> registered = Collections.synchronizedList(new ArrayList<>());
        CyclicBarrier start = new CyclicBarrier(REGISTERING_THREADS + SWEEPING_THREADS);
        try {
            List<Future<?>> sweepers = new ArrayList<>();
            for (int i = 0; i < SWEEPING_THREADS; i++) {
                sweepers.add(threads.submit(() -> {
                    start.await();
                    // Grace 0: only atomic registration protects the fresh row, not the grace.
                    while (registering.get()) {
                        pool.preparedQuery(LeaseRepository.FORGET_DEAD_INSTANCES).execute(Tuple.of(0L))
                                .await().atMost(Duration.ofSeconds(10));
                        sweeps.incrementAndGet();
                    }
                    return null;
                }));
            }
            List<Future<?>> registrars = new ArrayList<>();
            for (int i = 0; i < REGISTERING_THREADS; i++) {
                registrars.add(threads.submit(() -> {
                    start.await();
                    for (int n = 0; n < REGISTRATIONS_PER_THREAD; n++) {
                        registered.add(others.register());
                    }
                    return null;
                }));
            }
            for (Future<?> registrar : registrars) {
                registrar.get(120, TimeUnit.SECONDS);
            }
            registering.set(false);
            for (Future<?> sweeper : sweepers) {
                sweeper.get(30, TimeUnit.SECONDS);
            }

            assertEquals(REGISTERING_THREADS * REGISTRATIONS_PER_THREAD, registered.size());
            assertTrue(sweeps.get() > REGISTERING_THREADS * REGISTRATIONS_PER_THREAD,
                    "the sweeps really ran alongside the registrations: " + sweeps.get());
            long forgotten = registered.stream()
                    .filter(r -> count("SELECT count(*) FROM stage.instance WHERE boot_id = ?::uuid",
                            r.identity().bootId().toString()) == 0)
                    .count();
            assertEquals(0, forgotten, "registrations whose row a racing sweep deleted");
        } finally {
            registering.set(false);
            for (LivenessRegistration r : registered) {
                r.close().await().atMost(Duration.ofSeconds(5));
            }
            threads.shutdownNow();
        }
    }

    @Test
    void aMissingOwnRegistrationIsALostRegistrationNotAServerError() {
        String task = newTaskId("UNREG");
        createTask(task, GUARDED_REPO, "development");
        UUID before = liveness.current().orElseThrow().bootId();
        // What the racing sweep did: this process still holds its lock, its row is gone.
        pool.preparedQuery("DELETE FROM stage.instance WHERE boot_id = $1").execute(Tuple.of(before))
                .await().atMost(Duration.ofSeconds(5));

        transition(task, "development", "review", "monitor").then().statusCode(503)
                .contentType("application/problem+json");
        assertEquals(0, probe.applied(task), "no effect without a lease");
        assertEquals("development", stageOf(task));

        await().atMost(Duration.ofSeconds(30)).until(() -> liveness.current()
                .map(identity -> !identity.bootId().equals(before)).orElse(false));
        assertNotEquals(before, liveness.current().orElseThrow().bootId(), "registered again under a new boot id");
        given().port(ManagementInterface.port()).get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        transition(task, "development", "review", "monitor").then().statusCode(200)
                .body("outcome", equalTo("advanced"));
        assertEquals(1, probe.applied(task));
    }

    @Test
    void aFreshRegistrationWithoutItsLockIsKeptForTheGrace() {
        UUID fresh = UUID.randomUUID();
        pool.preparedQuery("INSERT INTO stage.instance (boot_id, pid, host) VALUES ($1, 1, 'half-registered')")
                .execute(Tuple.of(fresh)).await().atMost(Duration.ofSeconds(5));
        pool.preparedQuery(LeaseRepository.FORGET_DEAD_INSTANCES).execute(Tuple.of(60L))
                .await().atMost(Duration.ofSeconds(5));
        assertEquals(1, count("SELECT count(*) FROM stage.instance WHERE boot_id = ?::uuid", fresh.toString()),
                "younger than the grace: kept");
        pool.preparedQuery(LeaseRepository.FORGET_DEAD_INSTANCES).execute(Tuple.of(0L))
                .await().atMost(Duration.ofSeconds(5));
        assertEquals(0, count("SELECT count(*) FROM stage.instance WHERE boot_id = ?::uuid", fresh.toString()),
                "past the grace, without its lock and owning no lease: forgotten");
    }
}
