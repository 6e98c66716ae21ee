package dev.baton.runner;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The runner's one metrics seam: no metric name appears anywhere else; docs/operations.md has the table.
 * <ul>
 *   <li>{@code baton_runner_jobs_running}, {@code baton_runner_jobs_total{outcome}}: jobs run, by how they ended;</li>
 *   <li>{@code baton_runner_job_start_latency_seconds}: from queued at stage-service to the agent started;</li>
 *   <li>{@code baton_runner_attempts_total{exit}}: agent attempts by exit code;</li>
 *   <li>{@code baton_runner_agent_seconds{stage}}: how long agents ran;</li>
 *   <li>{@code baton_runner_agent_cost_dollars_total{stage}}: what they reported they cost;</li>
 *   <li>{@code baton_runner_agents_stopped_total{why}}: agents stopped on a timeout or a stop.</li>
 * </ul>
 */
@ApplicationScoped
public class RunnerMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger running = new AtomicInteger();
    private final Timer startLatency;

    public RunnerMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("baton.runner.jobs.running", running);
        this.startLatency = Timer.builder("baton.runner.job.start.latency")
                .description("From the job's queued time at stage-service to its agent process started")
                .publishPercentiles(0.5, 0.99).register(registry);
        // At zero from the start: an alert on stopped agents has a series before the first stop.
        registry.counter("baton.runner.agents.stopped", "why", "timeout");
        registry.counter("baton.runner.agents.stopped", "why", "stop");
    }

    public void jobStarted() {
        running.incrementAndGet();
    }

    public void jobEnded(String outcome) {
        running.decrementAndGet();
        registry.counter("baton.runner.jobs", "outcome", outcome).increment();
    }

    public void agentStarted(Duration sinceQueued) {
        startLatency.record(sinceQueued);
    }

    public void attempt(int exitCode) {
        registry.counter("baton.runner.attempts", "exit", Integer.toString(exitCode)).increment();
    }

    /** An agent process ran for {@code ran} (from start to its exit or stop). */
    public void agentRan(String stage, Duration ran) {
        registry.timer("baton.runner.agent", "stage", stage).record(ran);
    }

    /** The cost an agent reported for one attempt, in US dollars. */
    public void agentCost(String stage, java.math.BigDecimal usd) {
        registry.counter("baton.runner.agent.cost.dollars", "stage", stage).increment(usd.doubleValue());
    }

    public void stopped(String why) {
        registry.counter("baton.runner.agents.stopped", "why", why).increment();
    }
}
