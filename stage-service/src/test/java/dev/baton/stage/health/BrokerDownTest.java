package dev.baton.stage.health;

import dev.baton.infra.Ports;
import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.ManagementInterface;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.baton.stage.StageApi.GUARDED_REPO;
import static dev.baton.stage.StageApi.count;
import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.newTaskId;
import static dev.baton.stage.StageApi.transition;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * stage-service with no broker to reach (its Kafka channels point at a closed loopback port; the
 * real PostgreSQL is there). Its API works without Kafka, since transitions commit into the
 * outbox: so it stays ready, shows the broker as disconnected, and answers health within a second
 * (the Kafka admin health check used to hang readiness for 20 s and more in an outage).
 */
@QuarkusTest
@TestProfile(BrokerDownTest.NoBroker.class)
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class BrokerDownTest {

    /** Every Kafka channel aimed at a port nothing listens on. */
    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String nowhere = "127.0.0.1:" + Ports.free();
            return Map.of(
                    "mp.messaging.outgoing.outbox.bootstrap.servers", nowhere,
                    "mp.messaging.incoming.inbound.bootstrap.servers", nowhere,
                    "mp.messaging.incoming.console-alerts.bootstrap.servers", nowhere);
        }
    }

    @Test
    void readyWithinASecondWithoutABrokerAndTransitionsStillCommitIntoTheOutbox() {
        given().port(ManagementInterface.port()).get("/q/health/ready"); // the first request of a fresh application loads classes: not timed
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            Response ready = given().port(ManagementInterface.port()).get("/q/health/ready");
            long millis = (System.nanoTime() - start) / 1_000_000;
            ready.then().statusCode(200).body("status", equalTo("UP"))
                    .body("checks.find { it.name == 'Kafka broker (outbox)' }.data.broker", equalTo("disconnected"));
            assertTrue(millis < 1000, "readiness answered in " + millis + " ms");
        }
        given().port(ManagementInterface.port()).get("/q/health/live").then().statusCode(200);

        String task = newTaskId("NOKAFKA");
        createTask(task, GUARDED_REPO, "created");
        transition(task, "created", "analysis", "operator").then().statusCode(200).body("outcome", equalTo("advanced"));
        assertEquals(1, count("SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? AND event_type = 'StageAdvanced'"
                + " AND sent_at IS NULL", task), "the event waits in the outbox for the broker");
        given().port(ManagementInterface.port()).get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'Kafka broker (outbox)' }.data.outboxPending", org.hamcrest.Matchers.greaterThan(0));
    }
}
