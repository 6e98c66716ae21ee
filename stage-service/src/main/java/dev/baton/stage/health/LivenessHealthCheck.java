package dev.baton.stage.health;

import dev.baton.stage.lease.InFlight;
import dev.baton.stage.lease.Liveness;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the liveness registration is lost, or once shutdown began: this instance enters
 * no transition then, so traffic goes to the others.
 */
@Readiness
@ApplicationScoped
public class LivenessHealthCheck implements HealthCheck {

    static final String NAME = "Transition lease owner registration";

    private final Liveness liveness;
    private final InFlight inFlight;

    public LivenessHealthCheck(Liveness liveness, InFlight inFlight) {
        this.liveness = liveness;
        this.inFlight = inFlight;
    }

    @Override
    public HealthCheckResponse call() {
        if (inFlight.draining()) {
            return HealthCheckResponse.named(NAME).down()
                    .withData("reason", "shutting down: draining the transitions in flight")
                    .withData("inFlight", inFlight.running()).build();
        }
        return liveness.current()
                .map(identity -> HealthCheckResponse.named(NAME).up()
                        .withData("bootId", identity.bootId().toString()).withData("pid", identity.pid())
                        .withData("host", identity.host()).build())
                .orElseGet(() -> HealthCheckResponse.named(NAME).down()
                        .withData("reason", "liveness connection lost; registering again").build());
    }
}
