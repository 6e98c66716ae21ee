package dev.baton.runner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** How this runner takes and runs jobs: its name, slots, rhythm, workspaces and limits. */
@ConfigMapping(prefix = "baton.runner")
public interface RunnerConfig {

    /**
     * This runner's name at stage-service ({@code BATON_RUNNER_ID}); stable across restarts, so that a
     * restart (a new boot id under the same name) tells stage-service its old jobs lost their agent.
     */
    @WithDefault("agent-runner")
    String id();

    /** Jobs run at once ({@code BATON_RUNNER_SLOTS}). */
    @WithDefault("2")
    int slots();

    /** Fallback poll of {@code /jobs/pick} when no {@code JobQueued} arrives ({@code BATON_RUNNER_POLL}). */
    @WithDefault("5s")
    Duration poll();

    /** Stages served ({@code BATON_RUNNER_STAGES}, comma list); unset = every stage the agents file defines. */
    Optional<List<String>> stages();

    /** Where each job's workspace and log live ({@code BATON_RUNNER_WORKDIR}). */
    @WithDefault("${java.io.tmpdir}/baton-runner")
    String workdir();

    /**
     * Clone URL template with {@code {repo}} ({@code BATON_RUNNER_GIT_URL}); unset =
     * {@code BATON_GITEA_URL/{repo}.git}.
     */
    Optional<String> gitUrl();

    /** The branch a job works on, with {@code {workItem}} ({@code BATON_RUNNER_BRANCH}). */
    @WithDefault("baton/{workItem}")
    String branch();

    /** The branch a pull request targets when the repository does not say ({@code BATON_RUNNER_BASE_BRANCH}). */
    @WithDefault("main")
    String baseBranch();

    /** How long a failed job's workspace is kept for a person to look at ({@code BATON_RUNNER_KEEP_FAILED}). */
    @WithDefault("24h")
    Duration keepFailed();

    /** Largest size of one workspace in bytes; crossing it stops the agent ({@code BATON_RUNNER_MAX_WORKSPACE_BYTES}). */
    @WithDefault("2147483648")
    long maxWorkspaceBytes();

    /** Largest per-job log file in bytes; output beyond it is counted, not written ({@code BATON_RUNNER_MAX_LOG_BYTES}). */
    @WithDefault("16777216")
    long maxLogBytes();

    /** Bytes of output kept in memory per job and served at {@code GET /jobs/{id}/log}. */
    @WithDefault("65536")
    int logTail();

    /** Between SIGTERM and SIGKILL when an agent is stopped ({@code BATON_RUNNER_KILL_GRACE}). */
    @WithDefault("10s")
    Duration killGrace();

    /** How long running agents may finish after SIGTERM before they are stopped ({@code BATON_RUNNER_SHUTDOWN_GRACE}). */
    @WithDefault("30s")
    Duration shutdownGrace();

    /** First wait before a report stage-service did not take is sent again (doubles each time). */
    @WithDefault("500ms")
    Duration reportBackoff();

    /** Longest wait between two tries of one report. */
    @WithDefault("30s")
    Duration reportMaxBackoff();
}
