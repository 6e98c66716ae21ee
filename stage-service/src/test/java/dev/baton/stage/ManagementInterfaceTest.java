package dev.baton.stage;

import dev.baton.infra.test.BatonTestResource;
import dev.baton.infra.test.ManagementContract;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** stage-service's management interface: {@link ManagementContract}. */
@QuarkusTest
@WithTestResource(value = BatonTestResource.class, scope = TestResourceScope.GLOBAL)
class ManagementInterfaceTest extends ManagementContract {

    ManagementInterfaceTest() {
        super("stage-service");
    }
}
