package dev.baton.stage.health;

import dev.baton.stage.lease.Liveness;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while the liveness registration is lost: this instance enters no transition then. */
@Readiness
@ApplicationScoped
public class LivenessHealthCheck implements HealthCheck {

    private final Liveness liveness;

    public LivenessHealthCheck(Liveness liveness) {
        this.liveness = liveness;
    }

    @Override
    public HealthCheckResponse call() {
        return liveness.current()
                .map(identity -> HealthCheckResponse.named("Transition lease owner registration").up()
                        .withData("bootId", identity.bootId().toString()).withData("pid", identity.pid())
                        .withData("host", identity.host()).build())
                .orElseGet(() -> HealthCheckResponse.named("Transition lease owner registration").down()
                        .withData("reason", "liveness connection lost; registering again").build());
    }
}
