package dev.baton.runner;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** The runner's one metrics seam: no metric name appears anywhere else. */
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

    public void stopped(String why) {
        registry.counter("baton.runner.agents.stopped", "why", why).increment();
    }
}
