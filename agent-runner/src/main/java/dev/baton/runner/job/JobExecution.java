package dev.baton.runner.job;

import dev.baton.runner.RunnerMetrics;
import dev.baton.runner.agent.AgentDefinition;
import dev.baton.runner.agent.AgentDefinitions;
import dev.baton.runner.agent.AgentResult;
import dev.baton.runner.agent.ResultReader;
import dev.baton.runner.client.AgentRun;
import dev.baton.runner.client.GiteaClient;
import dev.baton.runner.client.PickedJob;
import dev.baton.runner.client.PlaneClient;
import dev.baton.runner.client.StageServiceClient;
import dev.baton.runner.client.TaskInfo;
import dev.baton.runner.process.AgentProcess;
import dev.baton.runner.process.OutputSink;
import dev.baton.runner.workspace.GitWorkspace;
import dev.baton.runner.workspace.Workspaces;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * One picked job, on a job thread of its own, in the order the reaper's tiers were designed around:
 *
 * <ol>
 *   <li>Read the task (repo, title, Plane ids); a task already gone from the job's stage is not worked.</li>
 *   <li>Per attempt, up to the stage's {@code maxAttempts}: a fresh shallow clone (JGit), the agent as a
 *       child process (argv only, the job's facts in {@code BATON_*}), its report read, and ONE
 *       {@code POST /jobs/{id}/runs}. A failed clone or a non-zero exit is tried again; a stop
 *       (the task left the stage), a missing program (127) or the last attempt ends the job.</li>
 *   <li>{@code POST /jobs/{id}/exit} FIRST, with the reason of a failure.</li>
 *   <li>The runner's own finalisation, each step idempotent: push what the agent committed, open or
 *       reuse the branch's pull request, record the facts (pull request and head SHA, coverage,
 *       approval, deploy), one Plane comment with {@code external_id} = the job.</li>
 *   <li>{@code POST /jobs/{id}/finalize} last: stage-service evaluates the gates and moves the task.</li>
 * </ol>
 * Reports to stage-service are retried until accepted ({@link StageServiceClient}); Gitea and Plane
 * calls a few times with backoff, then the failure is logged and the gates decide.
 */
final class JobExecution {

    private static final Logger LOG = Logger.getLogger(JobExecution.class);
    static final int CLONE_FAILED = 128;
    static final int OUTSIDE_ATTEMPTS = 5;
    static final int MAX_RESULT_BYTES = 1 << 20;
    static final Duration SIZE_CHECK = Duration.ofSeconds(5);
    static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER");

    /** The end of one attempt. */
    record Attempt(int exitCode, String reason, AgentResult result, GitWorkspace git) {
    }

    private final PickedJob job;
    private final AgentDefinition agent;
    private final JobContext context;
    private final CompletableFuture<String> stop = new CompletableFuture<>();
    private volatile OutputSink sink;
    private volatile boolean exited;

    JobExecution(PickedJob job, AgentDefinition agent, JobContext context) {
        this.job = job;
        this.agent = agent;
        this.context = context;
    }

    long id() {
        return job.id();
    }

    String taskId() {
        return job.taskId();
    }

    String stage() {
        return job.stage();
    }

    /** Stops the running agent (if any) and ends the job after this attempt; the first reason wins. */
    void stop(String reason) {
        stop.complete(reason);
    }

    /** True once the exit is reported: the job's own finalize moves the task, nothing is left to stop. */
    boolean exited() {
        return exited;
    }

    /** The last output of the running job. */
    Optional<String> tail() {
        OutputSink current = sink;
        return current == null ? Optional.empty() : Optional.of(current.tail());
    }

    /** @return {@code done} or {@code failed} as reported, or {@code abandoned} if it could not be reported */
    String run() {
        Workspaces workspaces = context.workspaces();
        Attempt last = null;
        try (OutputSink out = new OutputSink(workspaces.log(job.id()), context.config().maxLogBytes(),
                context.config().logTail(), LOG, job.taskId(), job.id())) {
            sink = out;
            StageServiceClient stageService = context.stageService();
            Optional<TaskInfo> found = stageService.task(job.taskId());
            if (found.isEmpty()) {
                stop.complete("task " + job.taskId() + " is unknown to stage-service");
            } else if (!job.stage().equals(found.get().stage())) {
                stop.complete("task moved to " + found.get().stage() + " before the agent started");
            }
            TaskInfo task = found.orElse(new TaskInfo(job.taskId(), null, "", job.stage(), null, null));
            for (int attempt = 1; attempt <= agent.maxAttempts(); attempt++) {
                closeGit(last);
                last = stop.isDone() ? new Attempt(AgentProcess.STOPPED, "stopped: " + stop.getNow(""),
                        AgentResult.empty(List.of()), null) : attempt(task, attempt);
                report(attempt, last);
                if (last.exitCode() == 0 || last.exitCode() == AgentProcess.STOPPED
                        || last.exitCode() == AgentProcess.NOT_FOUND) {
                    break;
                }
            }
            out.note("exit " + last.exitCode() + (last.reason() == null ? "" : ": " + last.reason()));
            exited = true;
            stageService.recordExit(job.id(), last.exitCode(), last.reason());
            if (last.exitCode() == 0) {
                finalisation(task, last);
            } else {
                comment(task, "<p>Baton: the " + job.stage() + " agent failed (exit " + last.exitCode() + "): "
                        + html(last.reason()) + "</p>");
            }
            int finalized = stageService.finalizeJob(job.id());
            out.note("finalize answered " + finalized);
            return last.exitCode() == 0 ? "done" : "failed";
        } catch (IOException | RuntimeException e) {
            LOG.errorf(e, "[%s job %d] abandoned: %s (the reaper finishes it)", job.taskId(), job.id(), e.getMessage());
            return "abandoned";
        } finally {
            closeGit(last);
            if (last != null && last.exitCode() == 0) {
                workspaces.discard(job.id());
            } else {
                workspaces.keep(job.id());
            }
        }
    }

    private Attempt attempt(TaskInfo task, int attempt) {
        Workspaces workspaces = context.workspaces();
        Path repoDir = workspaces.freshRepo(job.id());
        String branch = AgentDefinitions.fill(context.config().branch(), Map.of("workItem", task.id()));
        String url = AgentDefinitions.fill(context.gitUrl(), Map.of("repo", String.valueOf(task.repo())));
        sink.note("attempt " + attempt + " of " + agent.maxAttempts() + ": cloning " + url + " at " + branch);
        GitWorkspace git;
        try {
            git = GitWorkspace.cloneInto(url, context.gitea().token(), repoDir, branch, context.config().baseBranch());
        } catch (GitWorkspace.GitException e) {
            sink.note(e.getMessage());
            return new Attempt(CLONE_FAILED, e.getMessage(), AgentResult.empty(List.of()), null);
        }
        if (workspaces.tooBig(job.id())) {
            return new Attempt(AgentProcess.WORKSPACE_FULL, "the clone alone is over the workspace ceiling of "
                    + context.config().maxWorkspaceBytes() + " bytes", AgentResult.empty(List.of()), git);
        }
        Path resultFile = workspaces.resultFile(job.id(), attempt);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("workItem", task.id());
        values.put("stage", job.stage());
        values.put("title", task.title() == null ? "" : task.title());
        values.put("repo", String.valueOf(task.repo()));
        values.put("branch", branch);
        values.put("prNumber", prNumber(task, branch));
        values.put("workspace", repoDir.toString());
        values.put("jobId", Long.toString(job.id()));
        values.put("attempt", Integer.toString(attempt));
        List<String> argv = agent.command().stream().map(arg -> AgentDefinitions.fill(arg, values)).toList();
        AgentProcess process;
        try {
            process = AgentProcess.start(argv, childEnv(values, resultFile, git.baseBranch()), repoDir, sink,
                    agent.claudeJson());
        } catch (IOException e) {
            String reason = "agent program " + argv.get(0) + " cannot be started: " + e.getMessage();
            sink.note(reason);
            return new Attempt(AgentProcess.NOT_FOUND, reason, AgentResult.empty(List.of()), git);
        }
        workspaces.notePid(job.id(), process.handle());
        if (attempt == 1 && job.queuedAt() != null) {
            Duration latency = Duration.between(job.queuedAt(), Instant.now());
            context.metrics().agentStarted(latency);
            LOG.infof("[%s job %d] %s agent started, pid %d, %d ms after the job was queued", task.id(), job.id(),
                    job.stage(), process.pid(), latency.toMillis());
        }
        AgentProcess.Outcome outcome;
        long ranFrom = System.nanoTime();
        try {
            outcome = process.await(agent.timeout(), context.config().killGrace(), stop,
                    () -> workspaces.tooBig(job.id()), SIZE_CHECK);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = new AgentProcess.Outcome(AgentProcess.STOPPED, "runner interrupted");
        } finally {
            workspaces.clearPid(job.id());
            context.metrics().agentRan(job.stage(), Duration.ofNanos(System.nanoTime() - ranFrom));
        }
        if (outcome.reason() != null) {
            sink.note(outcome.reason());
            context.metrics().stopped(outcome.exitCode() == AgentProcess.TIMEOUT ? "timeout" : "stop");
        }
        AgentResult result = read(process, resultFile);
        for (String warning : result.warnings()) {
            LOG.warnf("[%s job %d] the agent's report is partly unusable: %s", task.id(), job.id(), warning);
            sink.note("result ignored: " + warning);
        }
        return new Attempt(outcome.exitCode(), outcome.reason(), result, git);
    }

    private AgentResult read(AgentProcess process, Path resultFile) {
        if (agent.claudeJson()) {
            return ResultReader.claudeStdout(process.stdout());
        }
        if (!Files.isRegularFile(resultFile)) {
            return AgentResult.empty(List.of());
        }
        try (InputStream in = Files.newInputStream(resultFile)) {
            byte[] bytes = in.readNBytes(MAX_RESULT_BYTES + 1);
            if (bytes.length > MAX_RESULT_BYTES) {
                return AgentResult.empty(List.of("result file: larger than " + MAX_RESULT_BYTES + " bytes"));
            }
            return ResultReader.resultFile(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return AgentResult.empty(List.of("result file: unreadable: " + e.getMessage()));
        }
    }

    private void report(int attempt, Attempt result) {
        AgentResult r = result.result();
        java.math.BigDecimal cost = r.costUsd() == null ? java.math.BigDecimal.ZERO : r.costUsd();
        context.metrics().attempt(result.exitCode());
        context.metrics().agentCost(job.stage(), cost);
        context.stageService().recordRun(job.id(), new AgentRun(agent.agent(),
                r.model() != null ? r.model() : agent.model(), agent.effort(), attempt,
                cost, r.tokensIn(), r.tokensOut(),
                result.exitCode(), result.reason()));
    }

    private void finalisation(TaskInfo task, Attempt last) {
        StageServiceClient stageService = context.stageService();
        AgentResult result = last.result();
        GitWorkspace git = last.git();
        String branch = AgentDefinitions.fill(context.config().branch(), Map.of("workItem", task.id()));
        Optional<String> pushed = git == null ? Optional.empty()
                : outside("push " + branch, () -> git.pushIfCommitted()).flatMap(sha -> sha);
        pushed.ifPresent(sha -> sink.note("pushed " + branch + " at " + sha));
        AgentResult.PullRequest pr = result.pullRequest();
        if (pr == null && agent.pullRequest() && git != null) {
            String title = task.id() + ": " + (task.title() == null ? job.stage() : task.title());
            pr = outside("pull request of " + branch, () -> context.giteaClient().openOrReuse(task.repo(), branch,
                    git.baseBranch(), title, result.summary() == null ? "" : result.summary()))
                    .map(p -> new AgentResult.PullRequest(p.number(), p.url(), pushed.orElse(p.headSha())))
                    .orElse(null);
        }
        if (pr != null && pr.number() != null && pr.headSha() != null) {
            sink.note("pull request #" + pr.number() + " at " + pr.headSha());
            stageService.recordPullRequest(task.id(), pr.number(), pr.url(), pr.headSha());
        }
        if (result.coverage() != null) {
            stageService.recordCoverage(task.id(), result.coverage());
        }
        if (Boolean.TRUE.equals(result.approved())) {
            stageService.recordApproval(task.id(), agent.agent());
        }
        if (result.deployed() != null) {
            stageService.recordDeploy(task.id(), result.deployed().environment(), result.deployed().state());
        }
        if (result.summary() != null) {
            comment(task, "<p>Baton " + html(job.stage()) + " agent " + html(agent.agent()) + ":</p><p>"
                    + html(result.summary()) + "</p>");
        }
    }

    /** One comment per job: Plane refuses a second one with the same external id. */
    private void comment(TaskInfo task, String html) {
        PlaneClient plane = context.planeClient();
        if (!plane.enabled() || task.planeProject() == null || task.planeIssue() == null) {
            return;
        }
        outside("Plane comment", () -> {
            int status = plane.commentOnce(task.planeProject(), task.planeIssue(), html, "baton-job-" + job.id());
            if (status >= 500 || status == 429) {
                throw new IllegalStateException("Plane answered " + status);
            }
            return status;
        });
    }

    private String prNumber(TaskInfo task, String branch) {
        if (task.repo() == null) {
            return "";
        }
        try {
            return context.giteaClient().findOpen(task.repo(), branch).map(p -> Integer.toString(p.number())).orElse("");
        } catch (RuntimeException unknown) {
            LOG.debugf("no pull request number for %s: %s", branch, unknown.getMessage());
            return "";
        }
    }

    private Map<String, String> childEnv(Map<String, String> values, Path resultFile, String baseBranch) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, String> own = System.getenv();
        INHERITED.stream().filter(own::containsKey).forEach(name -> env.put(name, own.get(name)));
        env.put("GIT_AUTHOR_NAME", "Baton agent");
        env.put("GIT_AUTHOR_EMAIL", "agent@baton.invalid");
        env.put("GIT_COMMITTER_NAME", "Baton agent");
        env.put("GIT_COMMITTER_EMAIL", "agent@baton.invalid");
        env.put("BATON_WORK_ITEM", values.get("workItem"));
        env.put("BATON_STAGE", values.get("stage"));
        env.put("BATON_TITLE", values.get("title"));
        env.put("BATON_REPO", values.get("repo"));
        env.put("BATON_BRANCH", values.get("branch"));
        env.put("BATON_BASE_BRANCH", baseBranch);
        env.put("BATON_PR_NUMBER", values.get("prNumber"));
        env.put("BATON_WORKSPACE", values.get("workspace"));
        env.put("BATON_JOB_ID", values.get("jobId"));
        env.put("BATON_ATTEMPT", values.get("attempt"));
        env.put("BATON_RESULT_FILE", resultFile.toString());
        List<String> missing = new ArrayList<>();
        for (String name : agent.passEnv()) {
            if (own.containsKey(name)) {
                env.put(name, own.get(name));
            } else {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            sink.note("passEnv names variables the runner does not have: " + missing);
        }
        agent.env().forEach((name, value) -> env.put(name, AgentDefinitions.fill(value, values)));
        return env;
    }

    /** A Gitea or Plane step: a few tries with backoff; a lasting failure is logged and the gates decide. */
    private <T> Optional<T> outside(String what, Callable<T> step) {
        Duration backoff = context.config().reportBackoff();
        for (int attempt = 1; ; attempt++) {
            try {
                return Optional.ofNullable(step.call());
            } catch (Exception e) {
                if (attempt >= OUTSIDE_ATTEMPTS) {
                    LOG.warnf("[%s job %d] %s failed for good: %s", job.taskId(), job.id(), what, e.getMessage());
                    sink.note(what + " failed: " + e.getMessage());
                    return Optional.empty();
                }
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    private static void closeGit(Attempt attempt) {
        if (attempt != null && attempt.git() != null) {
            attempt.git().close();
        }
    }

    static String html(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
