package dev.baton.runner;

import dev.baton.common.Preflight;
import dev.baton.runner.agent.AgentDefinitions;
import dev.baton.runner.agent.WorkedStages;
import dev.baton.runner.config.AgentsConfig;
import dev.baton.runner.config.GiteaConfig;
import dev.baton.runner.config.PlaneConfig;
import dev.baton.runner.config.RunnerConfig;
import dev.baton.runner.config.StageServiceConfig;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the settings and the agents file the runner cannot run without, naming every problem,
 * then boots Quarkus.
 */
@QuarkusMain
public final class AgentRunnerMain {

    static final int DEFAULT_PORT = 8084;
    static final String DEFAULT_AGENTS = "agents/agents.json";
    /** Every settings interface: their constraints are what a setting must satisfy. */
    static final List<Class<?>> SETTINGS = List.of(RunnerConfig.class, StageServiceConfig.class, GiteaConfig.class,
            PlaneConfig.class, AgentsConfig.class);

    private AgentRunnerMain() {
    }

    public static void main(String... args) {
        Map<String, String> env = System.getenv();
        Preflight preflight = new Preflight(env);
        preflight.optional("KAFKA_BOOTSTRAP_SERVERS", "host:port[,host:port]", Preflight::isBootstrapList)
                .optional("QUARKUS_HTTP_PORT", "a port number 0-65535", Preflight::isPort)
                .settings(SETTINGS)
                .problems(agentProblems(env))
                .portFree("QUARKUS_HTTP_PORT", preflight.port("QUARKUS_HTTP_PORT", DEFAULT_PORT))
                .exitOnProblems("agent-runner");
        Quarkus.run(args);
    }

    /** Every problem of the agents file, and served stages that no agent is defined for. */
    static List<String> agentProblems(Map<String, String> env) {
        String file = env.getOrDefault("BATON_AGENTS_FILE", DEFAULT_AGENTS);
        Set<String> worked;
        try {
            worked = WorkedStages.of(env.get("BATON_PIPELINE_FILE"));
        } catch (RuntimeException e) {
            return List.of("BATON_PIPELINE_FILE is unreadable: " + e.getMessage());
        }
        AgentDefinitions.Loaded loaded = AgentDefinitions.load(Path.of(file), worked);
        List<String> problems = new ArrayList<>();
        loaded.problems().forEach(problem -> problems.add("BATON_AGENTS_FILE " + file + ": " + problem));
        String stages = env.get("BATON_RUNNER_STAGES");
        if (loaded.definitions() != null && stages != null && !stages.isBlank()) {
            Arrays.stream(stages.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .filter(stage -> loaded.definitions().forStage(stage).isEmpty())
                    .forEach(stage -> problems.add("BATON_RUNNER_STAGES names " + stage
                            + ", which the agents file defines no agent for"));
        }
        return problems;
    }
}
