package dev.baton.runner.health;

import dev.baton.runner.job.RunnerService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once stage-service has taken this runner's registration (before that it picks nothing). */
@Readiness
@ApplicationScoped
public class RunnerHealthCheck implements HealthCheck {

    private final RunnerService runner;

    public RunnerHealthCheck(RunnerService runner) {
        this.runner = runner;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("runner-registered").status(runner.registered())
                .withData("bootId", runner.bootId()).withData("running", runner.runningJobs()).build();
    }
}
