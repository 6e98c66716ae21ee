package dev.baton.runner.config;

import dev.baton.common.config.DurationRange;
import dev.baton.common.config.HttpUrl;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.valueextraction.Unwrapping;

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
    @Min(1)
    @Max(64)
    int slots();

    /** Fallback poll of {@code /jobs/pick} when no {@code JobQueued} arrives ({@code BATON_RUNNER_POLL}). */
    @WithDefault("5s")
    @DurationRange(min = "1s", max = "1h")
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
    @HttpUrl
    @Pattern(regexp = ".*\\{repo}.*", message = "must contain \\{repo\\}", payload = Unwrapping.Unwrap.class)
    Optional<String> gitUrl();

    /** The branch a job works on, with {@code {workItem}} ({@code BATON_RUNNER_BRANCH}). */
    @WithDefault("baton/{workItem}")
    String branch();

    /** The branch a pull request targets when the repository does not say ({@code BATON_RUNNER_BASE_BRANCH}). */
    @WithDefault("main")
    String baseBranch();

    /** How long a failed job's workspace is kept for a person to look at ({@code BATON_RUNNER_KEEP_FAILED}). */
    @WithDefault("24h")
    @DurationRange(min = "1m", max = "30d")
    Duration keepFailed();

    /** Largest size of one workspace in bytes; crossing it stops the agent ({@code BATON_RUNNER_MAX_WORKSPACE_BYTES}). */
    @WithDefault("2147483648")
    @Min(1048576)
    @Max(1099511627776L)
    long maxWorkspaceBytes();

    /** Largest per-job log file in bytes; output beyond it is counted, not written ({@code BATON_RUNNER_MAX_LOG_BYTES}). */
    @WithDefault("16777216")
    @Min(1024)
    @Max(1073741824)
    long maxLogBytes();

    /** Bytes of output kept in memory per job and served at {@code GET /jobs/{id}/log}. */
    @WithDefault("65536")
    @Min(1024)
    @Max(16777216)
    int logTail();

    /** Between SIGTERM and SIGKILL when an agent is stopped ({@code BATON_RUNNER_KILL_GRACE}). */
    @WithDefault("10s")
    @DurationRange(min = "100ms", max = "10m")
    Duration killGrace();

    /** How long running agents may finish after SIGTERM before they are stopped ({@code BATON_RUNNER_SHUTDOWN_GRACE}). */
    @WithDefault("30s")
    @DurationRange(min = "1s", max = "1h")
    Duration shutdownGrace();

    /** First wait before a report stage-service did not take is sent again (doubles each time). */
    @WithDefault("500ms")
    @DurationRange(min = "1ms", max = "1m")
    Duration reportBackoff();

    /** Longest wait between two tries of one report. */
    @WithDefault("30s")
    @DurationRange(min = "1ms", max = "1h")
    Duration reportMaxBackoff();
}
