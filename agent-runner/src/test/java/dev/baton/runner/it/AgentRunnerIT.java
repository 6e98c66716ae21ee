package dev.baton.runner.it;

import dev.baton.infra.LocalInfra;
import dev.baton.infra.ServiceProcess;
import dev.baton.infra.test.ManagementInterface;
import dev.baton.infra.test.MetricsCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged agent-runner against the packaged stage-service, a real PostgreSQL and Kafka, real
 * git over HTTP and shell-script agents that are real process trees. Each test starts its own
 * runner(s) and finishes every job it queued, so the next test's runners find an empty queue.
 */
class AgentRunnerIT {

    static final Duration SOON = Duration.ofSeconds(60);
    static RunnerStack stack;

    @BeforeAll
    static void start() throws Exception {
        LocalInfra.configureLogging();
        stack = new RunnerStack(Path.of(System.getProperty("baton.root", "..")).toAbsolutePath().normalize());
    }

    @AfterEach
    void stopRunners() throws InterruptedException {
        stack.stopRunners();
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void twoRacingRunnersRunEveryJobExactlyOnce() throws Exception {
        int jobs = 24;
        String repo = "acme/race";
        stack.outside.git().createRepo(repo);
        Path runs = stack.work.resolve("race-runs.log");
        Path agent = stack.script("race", """
                echo "$BATON_JOB_ID $BATON_WORK_ITEM $$" >> "$RUNS_LOG"
                sleep 0.2
                echo '{"costUsd":0.01,"tokensIn":10,"tokensOut":5,"summary":"analysed"}' > "$BATON_RESULT_FILE"
                """);
        Path agents = stack.agents("race", """
                {"command":["%s"],"env":{"RUNS_LOG":"%s"},"timeout":"60s","agent":"analyst","model":"m"}"""
                .formatted(agent, runs));
        ServiceProcess raceA = stack.runner("race-a", agents, Map.of("BATON_RUNNER_SLOTS", "3"));
        ServiceProcess raceB = stack.runner("race-b", agents, Map.of("BATON_RUNNER_SLOTS", "3"));

        List<String> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            String task = id("RACE");
            tasks.add(task);
            stack.queueAnalysis(task, repo);
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            for (String task : tasks) {
                if (!"brd-approval".equals(stack.stageOf(task))) {
                    return false;
                }
            }
            return true;
        });

        List<String> lines = Files.readAllLines(runs);
        assertEquals(jobs, lines.size(), "one agent process per job: " + lines);
        Set<String> jobIds = new HashSet<>();
        lines.forEach(line -> jobIds.add(line.split(" ")[0]));
        assertEquals(jobs, jobIds.size(), "no job ran twice: " + lines);
        for (String task : tasks) {
            assertEquals(1, stack.count("SELECT count(*) FROM stage.agent_run WHERE task_id = ?", task));
            assertEquals(1, stack.count("SELECT count(*) FROM stage.job WHERE task_id = ? AND status = 'done' "
                    + "AND exit_code = 0", task));
        }
        long byA = stack.count("SELECT count(*) FROM stage.job WHERE runner_id = ?", "race-a");
        long byB = stack.count("SELECT count(*) FROM stage.job WHERE runner_id = ?", "race-b");
        assertEquals(jobs, byA + byB);
        assertEquals(jobs, stack.outside.planeComments().keySet().stream()
                .filter(key -> lines.stream().anyMatch(line -> key.equals("baton-job-" + line.split(" ")[0]))).count(),
                "one Plane comment per job");

        // Health, metrics and OpenAPI on the management port only; every runner metric the docs list
        // is in the two runners' scrapes (jobs ran on both).
        URI management = URI.create(raceA.managementUrl());
        assertEquals(List.of(), ManagementInterface.leaks(URI.create(raceA.url()), management));
        assertEquals(List.of(), MetricsCatalog.missingFrom(ManagementInterface.scrape(management)
                + ManagementInterface.scrape(URI.create(raceB.managementUrl())), "agent-runner"));
    }

    @Test
    void aTimeoutStopsTheWholeProcessTreeAndReports124() throws Exception {
        String task = id("SLOW");
        Path pids = Files.createDirectories(stack.work.resolve("pids-timeout"));
        stack.outside.git().createRepo("acme/slow");
        stack.runner("slow", stack.agents("slow", """
                {"command":["%s"],"env":{"PIDS":"%s"},"timeout":"3s"}""".formatted(treeAgent(), pids)), Map.of());
        stack.queueAnalysis(task, "acme/slow");

        Map<String, Object> job = awaitFinished(task);
        assertEquals(124, job.get("exit_code"));
        assertTrue(lastRunReason(task).contains("timed out after"), lastRunReason(task));
        assertTreeGone(pids, task);
    }

    @Test
    void aTaskLeavingItsStageStopsTheWholeProcessTreeAndReports143() throws Exception {
        String task = id("GONE");
        Path pids = Files.createDirectories(stack.work.resolve("pids-cancel"));
        stack.outside.git().createRepo("acme/gone");
        stack.runner("gone", stack.agents("gone", """
                {"command":["%s"],"env":{"PIDS":"%s"},"timeout":"10m","maxAttempts":3}""".formatted(treeAgent(), pids)),
                Map.of());
        stack.queueAnalysis(task, "acme/gone");
        await().atMost(SOON).until(() -> Files.exists(pids.resolve(task + ".grandchild")));

        stack.transition(task, "analysis", "cancelled");

        Map<String, Object> job = awaitFinished(task);
        assertEquals(143, job.get("exit_code"));
        assertTrue(lastRunReason(task).contains("task moved to cancelled"), lastRunReason(task));
        assertTreeGone(pids, task);
        assertEquals(1, stack.count("SELECT count(*) FROM stage.agent_run WHERE task_id = ?", task),
                "a stopped job is not tried again");
    }

    @Test
    void aSigtermedRunnerStopsItsAgentTreeAfterTheShutdownGraceReportsItAndExits() throws Exception {
        String task = id("TERM");
        Path pids = Files.createDirectories(stack.work.resolve("pids-sigterm"));
        stack.outside.git().createRepo("acme/term");
        ServiceProcess runner = stack.runner("term", stack.agents("term", """
                {"command":["%s"],"env":{"PIDS":"%s"},"timeout":"10m"}""".formatted(treeAgent(), pids)),
                Map.of("BATON_RUNNER_SHUTDOWN_GRACE", "2s"));
        stack.queueAnalysis(task, "acme/term");
        await().atMost(SOON).until(() -> Files.exists(pids.resolve(task + ".grandchild")));

        runner.terminate();

        // Grace 2 s + kill grace 2 s + the reports: far inside the pod's 100 s (deploy/k8s).
        assertTrue(runner.awaitExit(Duration.ofSeconds(60)).isPresent(), "the runner exits by itself after SIGTERM");
        assertTreeGone(pids, task);
        Map<String, Object> job = awaitFinished(task);
        assertEquals(143, job.get("exit_code"), "the stopped agent is reported, not left running");
        assertTrue(lastRunReason(task).contains("runner shutting down"), lastRunReason(task));
    }

    @Test
    void aRunnerKilledMidJobIsRequeuedOnRestartAndRunsOnceMoreNeverTwiceAtOnce() throws Exception {
        String task = id("KILL");
        Path marks = Files.createDirectories(stack.work.resolve("marks-kill"));
        stack.outside.git().createRepo("acme/kill");
        Path agent = stack.script("kill", """
                if [ -f "$MARKS/first.pid" ]; then
                  if kill -0 "$(cat "$MARKS/first.pid")" 2>/dev/null; then echo alive > "$MARKS/first.state"; \
                else echo gone > "$MARKS/first.state"; fi
                  echo "$BATON_JOB_ID" >> "$MARKS/starts"
                  exit 0
                fi
                echo "$BATON_JOB_ID" >> "$MARKS/starts"
                echo $$ > "$MARKS/first.pid"
                sleep 600
                """);
        Path agents = stack.agents("kill", """
                {"command":["%s"],"env":{"MARKS":"%s"},"timeout":"20m"}""".formatted(agent, marks));
        ServiceProcess runner = stack.runner("kill", agents, Map.of());
        stack.queueAnalysis(task, "acme/kill");
        await().atMost(SOON).until(() -> Files.exists(marks.resolve("first.pid")));
        long first = Long.parseLong(Files.readString(marks.resolve("first.pid")).trim());

        runner.kill();
        assertTrue(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false),
                "a SIGKILLed runner cannot stop its agent: the restart has to");
        stack.runner("kill", agents, Map.of());

        await().atMost(SOON).until(() -> "brd-approval".equals(stack.stageOf(task)));
        assertEquals("gone", Files.readString(marks.resolve("first.state")).trim(),
                "the first agent was stopped before the job ran again");
        List<String> starts = Files.readAllLines(marks.resolve("starts"));
        assertEquals(2, starts.size(), "run once more, not more: " + starts);
        assertEquals(starts.get(0), starts.get(1), "the same job, requeued");
        assertEquals(1, stack.count("SELECT count(*) FROM stage.job WHERE task_id = ?", task));
        assertEquals(2, stack.count("SELECT count(*) FROM stage.outbox WHERE aggregate_id = ? AND event_type = "
                + "'JobQueued'", task), "queued when the task entered analysis, and requeued once");
    }

    @Test
    void anOutputFloodCostsBoundedDiskAndMemory() throws Exception {
        String task = id("FLOOD");
        stack.outside.git().createRepo("acme/flood");
        Path agent = stack.script("flood", """
                yes "flood flood flood flood flood flood flood flood flood flood flood flood" | head -c 300000000
                echo LAST-LINE
                """);
        ServiceProcess runner = stack.runner("flood", stack.agents("flood", """
                {"command":["%s"],"timeout":"5m"}""".formatted(agent)),
                Map.of("BATON_RUNNER_MAX_LOG_BYTES", "1048576"));
        stack.queueAnalysis(task, "acme/flood");

        Map<String, Object> job = awaitFinished(task);
        assertEquals(0, job.get("exit_code"));
        long id = ((Number) job.get("id")).longValue();
        Path log = stack.work.resolve("runner-flood/logs/job-" + id + ".log");
        assertTrue(Files.size(log) < 1048576 + 4096, "the log file stops at its ceiling: " + Files.size(log));
        HttpResponse<String> tail = stack.get(runner.url() + "/jobs/" + id + "/log");
        assertEquals(200, tail.statusCode());
        assertTrue(tail.body().length() <= 65536, "the served tail is at most 64 KiB: " + tail.body().length());
        assertTrue(tail.body().contains("LAST-LINE"), "the tail is the END of the output");
        long rssKb = rssKb(runner);
        assertTrue(rssKb < 400_000, "300 MB of output, runner RSS " + rssKb + " kB");
        assertTrue(Files.size(stack.runnerLog("flood")) < 4 * 1048576, "the runner's own log is bounded too");
    }

    @Test
    void anAgentProgramThatDoesNotExistIsRecordedAs127WithTheReason() throws Exception {
        String task = id("NOBIN");
        stack.outside.git().createRepo("acme/nobin");
        stack.runner("nobin", stack.agents("nobin", """
                {"command":["/nonexistent/agent-cli","{title}"],"maxAttempts":3}"""), Map.of());
        stack.queueAnalysis(task, "acme/nobin");

        Map<String, Object> job = awaitFinished(task);
        assertEquals(127, job.get("exit_code"));
        List<Map<String, Object>> runs = stack.rows("SELECT exit_code, reason FROM stage.agent_run WHERE task_id = ?",
                task);
        assertEquals(1, runs.size(), "a missing program is not tried again: " + runs);
        assertEquals(127, runs.get(0).get("exit_code"));
        assertTrue(String.valueOf(runs.get(0).get("reason")).contains("/nonexistent/agent-cli"), runs.toString());
    }

    @Test
    void aCloneFailureFailsTheJobWithTheReasonAfterMaxAttempts() throws Exception {
        String task = id("NOREPO");
        stack.runner("norepo", stack.agents("norepo", """
                {"command":["/bin/true"],"maxAttempts":3}"""), Map.of("BATON_RUNNER_REPORT_BACKOFF", "100ms"));
        stack.queueAnalysis(task, "acme/never-created");

        Map<String, Object> job = awaitFinished(task);
        assertEquals(128, job.get("exit_code"));
        List<Map<String, Object>> runs = stack.rows("SELECT attempt, exit_code, reason FROM stage.agent_run "
                + "WHERE task_id = ? ORDER BY attempt", task);
        assertEquals(3, runs.size(), runs.toString());
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, runs.get(i).get("attempt"));
            assertEquals(128, runs.get(i).get("exit_code"));
            assertTrue(String.valueOf(runs.get(i).get("reason")).contains("clone of"), runs.toString());
        }
        assertFalse(Files.readString(stack.runnerLog("norepo")).contains(RunnerStack.GITEA_TOKEN),
                "the token never reaches a log line");
    }

    @Test
    void aMalformedResultFileIsRecordedWithoutItsBadFieldsAndTheWarningNamesThem() throws Exception {
        String bad = id("BADRES");
        String broken = id("BADJSON");
        stack.outside.git().createRepo("acme/badres");
        Path agent = stack.script("badres", """
                case "$BATON_WORK_ITEM" in
                  BADRES*) echo '{"costUsd":"lots","tokensIn":12,"tokensOut":-3,"coverage":55,"summary":"ok"}' \
                > "$BATON_RESULT_FILE" ;;
                  *) echo '{"costUsd": 0.5,' > "$BATON_RESULT_FILE" ;;
                esac
                """);
        ServiceProcess runner = stack.runner("badres", stack.agents("badres", """
                {"command":["%s"]}""".formatted(agent)), Map.of());
        stack.queueAnalysis(bad, "acme/badres");
        stack.queueAnalysis(broken, "acme/badres");

        awaitFinished(bad);
        awaitFinished(broken);
        List<Map<String, Object>> runs = stack.rows("SELECT cost_usd, tokens_in, tokens_out, exit_code FROM "
                + "stage.agent_run WHERE task_id = ?", bad);
        assertEquals(1, runs.size());
        assertEquals(0, ((Number) runs.get(0).get("cost_usd")).intValue(), "the bad cost is not recorded");
        assertEquals(12L, ((Number) runs.get(0).get("tokens_in")).longValue(), "the good field is");
        assertEquals(0L, ((Number) runs.get(0).get("tokens_out")).longValue());
        assertEquals(0, runs.get(0).get("exit_code"));
        assertEquals(1, stack.count("SELECT count(*) FROM stage.agent_run WHERE task_id = ?", broken));
        assertEquals(0, stack.count("SELECT count(*) FROM stage.agent_run WHERE task_id = ? AND cost_usd > 0", broken));
        String log = Files.readString(stack.runnerLog("badres"));
        assertTrue(log.contains("costUsd: must be a number"), "the warning names the field");
        assertTrue(log.contains("tokensOut: must be >= 0"));
        assertTrue(log.contains("result file is not valid JSON"));
        long job = ((Number) awaitFinished(bad).get("id")).longValue();
        assertTrue(stack.get(runner.url() + "/jobs/" + job + "/log").body().contains("result ignored: costUsd"));
    }

    @Test
    void theDevelopmentAgentsCommitIsPushedAndOnePullRequestIsOpenedEvenWhenRunTwice() throws Exception {
        String task = id("DEV");
        String repo = "acme/dev";
        stack.outside.git().createRepo(repo);
        Path agent = stack.script("dev", """
                echo "change by $BATON_WORK_ITEM in job $BATON_JOB_ID" > CHANGE.md
                git add CHANGE.md && git commit -q -m "$BATON_WORK_ITEM: the change"
                echo '{"summary":"implemented"}' > "$BATON_RESULT_FILE"
                """);
        Path agents = stack.work.resolve("agents/dev.json");
        Files.writeString(agents, """
                {"agents":{"analysis":{"command":["%s"]},"development":{"command":["%s"],"pullRequest":true}}}"""
                .formatted(agent, agent));
        stack.runner("dev", agents, Map.of("BATON_RUNNER_STAGES", "development"));
        stack.queueAnalysis(task, repo);
        stack.transition(task, "analysis", "brd-approval");
        stack.transition(task, "brd-approval", "architecture");
        stack.transition(task, "architecture", "development");

        await().atMost(SOON).until(() -> "review".equals(stack.stageOf(task)));
        String branch = "baton/" + task;
        Optional<String> head = stack.outside.git().head(repo, branch);
        assertTrue(head.isPresent(), "the branch was pushed");
        assertEquals(2, stack.outside.git().commits(repo, branch), "the seed commit and the agent's");
        assertEquals(1, stack.outside.pullRequests(repo).size());
        assertEquals(head.get(), stack.rows("SELECT head_sha FROM stage.task_facts WHERE task_id = ?", task).get(0)
                .get("head_sha"), "the pull request fact carries the pushed head");

        // Back to development: the branch exists, the job clones it, commits on top, reuses the pull request.
        stack.transition(task, "review", "development");
        await().atMost(SOON).until(() -> "review".equals(stack.stageOf(task))
                && stack.outside.git().commits(repo, branch) == 3);
        assertEquals(1, stack.outside.pullRequests(repo).size(), "never a second pull request");
    }

    private static String lastRunReason(String task) throws Exception {
        List<Map<String, Object>> runs = stack.rows("SELECT reason FROM stage.agent_run WHERE task_id = ? "
                + "ORDER BY id DESC LIMIT 1", task);
        return runs.isEmpty() ? "(no run)" : String.valueOf(runs.get(0).get("reason"));
    }

    /**
     * JobQueued → agent process started, over 100 jobs queued one at a time (the next once the
     * previous agent has started, so the figure is the runner's reaction, not a queue building up on
     * two shared cores): the runner logs each job's time from its queued time at stage-service to its
     * agent's start, clone included. The percentiles go to the build log and target/start-latency.txt;
     * the bound asserted is loose, the figure is what counts.
     */
    @Test
    void aQueuedJobsAgentStartsWellUnderASecondLater() throws Exception {
        int jobs = 100;
        stack.outside.git().createRepo("acme/latency");
        Path starts = Files.createDirectories(stack.work.resolve("latency-starts"));
        Path agent = stack.script("latency", "touch \"$STARTS/$BATON_WORK_ITEM\"\n");
        stack.runner("latency", stack.agents("latency", """
                {"command":["%s"],"env":{"STARTS":"%s"}}""".formatted(agent, starts)), Map.of());
        List<String> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            String task = id("LAT");
            tasks.add(task);
            stack.queueAnalysis(task, "acme/latency");
            await().atMost(SOON).until(() -> Files.exists(starts.resolve(task)));
        }
        await().atMost(SOON).until(() -> "brd-approval".equals(stack.stageOf(tasks.get(jobs - 1))));
        java.util.regex.Pattern started = java.util.regex.Pattern.compile(
                "\\[(LAT-\\d+) job \\d+] analysis agent started, pid \\d+, (\\d+) ms after the job was queued");
        List<Long> millis = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(stack.runnerLog("latency"))) {
            java.util.regex.Matcher m = started.matcher(line);
            if (m.find() && tasks.contains(m.group(1))) {
                millis.add(Long.parseLong(m.group(2)));
            }
        }
        assertEquals(jobs, millis.size(), "one start line per job");
        java.util.Collections.sort(millis);
        long p50 = millis.get(jobs / 2 - 1);
        long p99 = millis.get(jobs * 99 / 100 - 1);
        String figures = "JobQueued -> agent process started over " + jobs + " jobs: p50 " + p50 + " ms, p99 " + p99
                + " ms, max " + millis.get(jobs - 1) + " ms";
        org.jboss.logging.Logger.getLogger(AgentRunnerIT.class).info(figures);
        Files.writeString(stack.root.resolve("agent-runner/target/start-latency.txt"), figures + "\n");
        assertTrue(p50 < 1000, figures);
    }

    /**
     * The runner's own memory, idle and with two agents running (its children are not counted):
     * VmRSS of the packaged runner, with the JVM flags of ./baton up. Written to target/runner-rss.txt.
     */
    @Test
    void twoRunningAgentsCostTheRunnerLittleMemory() throws Exception {
        Path pids = Files.createDirectories(stack.work.resolve("pids-rss"));
        stack.outside.git().createRepo("acme/rss");
        ServiceProcess runner = stack.runner("rss", stack.agents("rss", """
                {"command":["%s"],"env":{"PIDS":"%s"},"timeout":"20s"}""".formatted(treeAgent(), pids)),
                Map.of("BATON_RUNNER_SLOTS", "2"));
        await().pollDelay(Duration.ofSeconds(5)).atMost(SOON).until(() -> true);
        long idle = rssKb(runner);
        String first = id("RSS");
        String second = id("RSS");
        stack.queueAnalysis(first, "acme/rss");
        stack.queueAnalysis(second, "acme/rss");
        await().atMost(SOON).until(() -> Files.exists(pids.resolve(first + ".grandchild"))
                && Files.exists(pids.resolve(second + ".grandchild")));
        long busy = rssKb(runner);
        String figures = "agent-runner RSS: idle " + idle / 1024 + " MB, with 2 agents running " + busy / 1024 + " MB";
        org.jboss.logging.Logger.getLogger(AgentRunnerIT.class).info(figures);
        Files.writeString(stack.root.resolve("agent-runner/target/runner-rss.txt"), figures + "\n");
        assertEquals(124, awaitFinished(first).get("exit_code"));
        assertEquals(124, awaitFinished(second).get("exit_code"));
        assertTrue(busy < 400 * 1024, figures);
    }

    private static long rssKb(ServiceProcess process) throws Exception {
        return Long.parseLong(Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
                .filter(line -> line.startsWith("VmRSS:")).findFirst().orElseThrow().replaceAll("\\D", ""));
    }

    /** An agent whose child leaves a grandchild: both pids are noted for the test. */
    private static Path treeAgent() throws Exception {
        return stack.script("tree", """
                sleep 600 &
                echo $! > "$PIDS/$BATON_WORK_ITEM.grandchild"
                echo $$ > "$PIDS/$BATON_WORK_ITEM.child"
                wait
                """);
    }

    private static void assertTreeGone(Path pids, String task) throws Exception {
        for (String which : List.of("child", "grandchild")) {
            long pid = Long.parseLong(Files.readString(pids.resolve(task + "." + which)).trim());
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        }
    }

    /** The task's job once it is finished (done or failed). */
    private static Map<String, Object> awaitFinished(String task) {
        return await().atMost(Duration.ofSeconds(90)).until(() -> {
            List<Map<String, Object>> jobs = stack.rows("SELECT id, status, exit_code, detail FROM stage.job "
                    + "WHERE task_id = ? ORDER BY id DESC LIMIT 1", task);
            return jobs.isEmpty() ? null : jobs.get(0);
        }, job -> job != null && Set.of("done", "failed").contains(job.get("status")));
    }

    private static String id(String prefix) {
        return prefix + "-" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
    }
}
