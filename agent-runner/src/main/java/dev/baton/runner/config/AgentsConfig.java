package dev.baton.runner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where the agent of each stage is defined. */
@ConfigMapping(prefix = "baton.agents")
public interface AgentsConfig {

    /** The agents definitions file, JSON ({@code BATON_AGENTS_FILE}); validated at start. */
    @WithDefault("agents/agents.json")
    String file();
}
