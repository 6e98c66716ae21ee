package dev.baton.runner.agent;

import dev.baton.runner.config.AgentsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;
import java.util.Optional;

/** The agents definitions, read once at start (the main class has already refused an invalid file). */
@ApplicationScoped
public class AgentsProducer {

    @Produces
    @ApplicationScoped
    AgentDefinitions agents(AgentsConfig config, @ConfigProperty(name = "baton.pipeline.file") Optional<String> pipeline) {
        AgentDefinitions.Loaded loaded = AgentDefinitions.load(Path.of(config.file()),
                WorkedStages.of(pipeline.orElse(null)));
        if (loaded.definitions() == null) {
            throw new AgentDefinitions.InvalidAgentsException(config.file(), loaded.problems());
        }
        return loaded.definitions();
    }
}
