package dev.baton.gateway;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.ManagementContract;
import dev.baton.infra.test.ManagementInterface;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The gateway's management interface ({@link ManagementContract}), and no webhook path that climbs
 * out of {@code /webhooks} reaches it.
 */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class ManagementInterfaceTest extends ManagementContract {

    ManagementInterfaceTest() {
        super("webhook-gateway");
    }

    /** One refused (unsigned) webhook, so the counter has a series to show. */
    @Override
    protected void exercise() {
        given().contentType("application/json").body("{}").post("/webhooks/plane").then().statusCode(401);
    }

    /** A path that climbs out of /webhooks reaches nothing: the API port has no /q at all. */
    @Test
    void aWebhookPathClimbingToTheMetricsIsNotServed() throws Exception {
        for (String path : List.of("/webhooks/../q/metrics", "/webhooks/plane/../../q/metrics", "/webhooks/%2e%2e/q/metrics")) {
            int status = ManagementInterface.rawStatus(ManagementInterface.apiUrl(), "POST", path);
            assertNotEquals(200, status, "POST " + path);
        }
    }
}
