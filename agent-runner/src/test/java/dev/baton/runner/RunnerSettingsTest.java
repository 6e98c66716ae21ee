package dev.baton.runner;

import dev.baton.infra.test.SettingsContract;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Each of the runner's duration, count, size and URL settings refuses a malformed and an out-of-range value. */
class RunnerSettingsTest extends SettingsContract {

    @Override
    protected List<Class<?>> settings() {
        return AgentRunnerMain.SETTINGS;
    }

    @Override
    protected Class<?> main() {
        return AgentRunnerMain.class;
    }

    /** The repository's own agents file, so the start reaches the settings with a valid one. */
    @Override
    protected Map<String, String> startEnvironment() {
        return Map.of("BATON_AGENTS_FILE", Path.of("..", "agents", "agents.json").toAbsolutePath().toString());
    }

    @Override
    protected List<BadValues> table() {
        return List.of(
                bad("BATON_RUNNER_SLOTS", "two", "0"),
                bad("BATON_RUNNER_POLL", "5 s", "100ms"),
                bad("BATON_RUNNER_KEEP_FAILED", "a day", "31d"),
                bad("BATON_RUNNER_MAX_WORKSPACE_BYTES", "2GB", "1024"),
                bad("BATON_RUNNER_MAX_LOG_BYTES", "16MB", "0"),
                bad("BATON_RUNNER_LOG_TAIL", "64k", "16777217"),
                bad("BATON_RUNNER_KILL_GRACE", "10 s", "-10s"),
                bad("BATON_RUNNER_SHUTDOWN_GRACE", "30 s", "2h"),
                bad("BATON_RUNNER_REPORT_BACKOFF", "500 ms", "0s"),
                bad("BATON_RUNNER_REPORT_MAX_BACKOFF", "30 s", "0s"),
                // A template the clone fills in: an http(s) URL with {repo} in it.
                bad("BATON_RUNNER_GIT_URL", "gitea.local/{repo}.git", "http://gitea.local/baton.git"),
                bad("BATON_STAGE_SERVICE_URL", "stage-service:8081", "ftp://stage-service"),
                bad("BATON_GITEA_URL", "gitea.local", "http://"),
                bad("BATON_PLANE_URL", "plane", "file:///plane"));
    }
}
