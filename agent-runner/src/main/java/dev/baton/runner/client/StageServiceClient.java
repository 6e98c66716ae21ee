package dev.baton.runner.client;

import dev.baton.runner.config.RunnerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The runner's only way to stage-service. Blocking, for the runner's job threads.
 *
 * <p>A report (run, exit, fact, finalize, registration) is sent until stage-service takes it: on
 * 5xx or no answer it is tried again with doubling backoff, for as long as the runner lives, so a
 * stage-service restart or a 503 loses nothing. Every report is idempotent at stage-service (the
 * exit is recorded once, a finalize after the claim answers 409, facts are upserts), so a repeat
 * after a lost answer is harmless. A 4xx is final: it is logged and returned, never retried.
 * A pick is not retried: the next wake-up or poll picks again.
 */
@ApplicationScoped
public class StageServiceClient {

    private static final Logger LOG = Logger.getLogger(StageServiceClient.class);

    private final StageServiceRestClient rest;
    private final RunnerConfig config;

    public StageServiceClient(@RestClient StageServiceRestClient rest, RunnerConfig config) {
        this.rest = rest;
        this.config = config;
    }

    /** {@code POST /runners} until accepted. */
    public void register(String runnerId, String bootId) {
        report("register runner " + runnerId, () -> rest.register(new StageServiceRestClient.Register(runnerId, bootId)));
    }

    /** The oldest queued job of {@code stages}, or empty (none, or stage-service unreachable now). */
    public Optional<PickedJob> pick(String runnerId, List<String> stages) {
        try (Response response = Responses.of(() -> rest.pick(new StageServiceRestClient.Pick(runnerId, stages)))) {
            if (response.getStatus() == 200) {
                return Optional.of(response.readEntity(PickedJob.class));
            }
            if (response.getStatus() != 204) {
                LOG.warnf("pick answered %d: %s", response.getStatus(), body(response));
            }
            return Optional.empty();
        } catch (ProcessingException unreachable) {
            LOG.warnf("pick: stage-service unreachable (%s); the next wake-up or poll tries again",
                    unreachable.getMessage());
            return Optional.empty();
        }
    }

    /** {@code GET /tasks/{id}}, tried until answered; empty if stage-service has no such task. */
    public Optional<TaskInfo> task(String taskId) {
        Response response = report("read task " + taskId, () -> rest.task(taskId));
        try (response) {
            return response.getStatus() == 200
                    ? Optional.ofNullable(response.readEntity(TaskInfo.View.class).task()) : Optional.empty();
        }
    }

    public int recordRun(long jobId, AgentRun run) {
        return status(report("run of job " + jobId, () -> rest.run(jobId, new StageServiceRestClient.Run(run.agent(),
                run.model(), run.effort(), run.attempt(), run.costUsd(), run.tokensIn(), run.tokensOut(),
                run.exitCode(), run.reason()))));
    }

    public int recordExit(long jobId, int code, String reason) {
        return status(report("exit of job " + jobId, () -> rest.exit(jobId, new StageServiceRestClient.Exit(code,
                reason))));
    }

    /** {@code POST /jobs/{id}/finalize}: 200 won (the transition asked), 409 someone else finished the job. */
    public int finalizeJob(long jobId) {
        return status(report("finalize of job " + jobId, () -> rest.finalizeJob(jobId)));
    }

    public int recordPullRequest(String taskId, int number, String url, String headSha) {
        return status(report("pull request fact of " + taskId, () -> rest.pullRequest(taskId,
                new StageServiceRestClient.PullRequest(number, url, headSha))));
    }

    public int recordCoverage(String taskId, BigDecimal percent) {
        return status(report("coverage fact of " + taskId, () -> rest.coverage(taskId,
                new StageServiceRestClient.Coverage(percent))));
    }

    public int recordApproval(String taskId, String by) {
        return status(report("approval fact of " + taskId, () -> rest.approval(taskId,
                new StageServiceRestClient.Approval(by))));
    }

    public int recordDeploy(String taskId, String environment, String state) {
        return status(report("deploy fact of " + taskId, () -> rest.deployStatus(taskId,
                new StageServiceRestClient.DeployStatus(environment, state))));
    }

    /** Sends until a non-5xx answer; returns it (the caller closes it). */
    private Response report(String what, Supplier<Response> call) {
        Duration backoff = config.reportBackoff();
        for (int attempt = 1; ; attempt++) {
            String problem;
            try {
                Response response = Responses.of(call);
                if (response.getStatus() < 500) {
                    if (response.getStatus() >= 400) {
                        response.bufferEntity();
                        LOG.warnf("%s refused with %d: %s", what, response.getStatus(), body(response));
                    }
                    return response;
                }
                problem = "answered " + response.getStatus();
                response.close();
            } catch (ProcessingException unreachable) {
                problem = "unreachable (" + unreachable.getMessage() + ")";
            }
            LOG.warnf("%s: stage-service %s; try %d again in %s", what, problem, attempt + 1, backoff);
            sleep(backoff);
            backoff = backoff.multipliedBy(2).compareTo(config.reportMaxBackoff()) > 0
                    ? config.reportMaxBackoff() : backoff.multipliedBy(2);
        }
    }

    private static int status(Response response) {
        try (response) {
            return response.getStatus();
        }
    }

    private static String body(Response response) {
        try {
            return response.hasEntity() ? response.readEntity(String.class) : "";
        } catch (RuntimeException unreadable) {
            return "";
        }
    }

    private static void sleep(Duration backoff) {
        try {
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to report again", e);
        }
    }
}
