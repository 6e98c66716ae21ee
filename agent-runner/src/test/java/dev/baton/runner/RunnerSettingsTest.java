package dev.baton.runner;

import dev.baton.infra.test.SettingsContract;

import java.nio.file.Path;
import java.util.Map;

/** Each of the runner's duration, count, size and URL settings refuses a malformed and an out-of-range value. */
class RunnerSettingsTest extends SettingsContract {

    RunnerSettingsTest() {
        super(AgentRunnerMain.class, AgentRunnerMain.SETTINGS);
    }

    /** The repository's own agents file, so the start reaches the settings with a valid one. */
    @Override
    protected Map<String, String> startEnvironment() {
        return Map.of("BATON_AGENTS_FILE", Path.of("..", "agents", "agents.json").toAbsolutePath().toString());
    }
}
