package dev.baton.stage.pipeline;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.stage.config.PipelineConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads the pipeline definition at start: the file named by {@code BATON_PIPELINE_FILE},
 * or the built-in {@code dev/baton/pipeline.json} of baton-common. An invalid definition stops the service.
 */
@ApplicationScoped
public class PipelineLoader {

    /** The default definition, shipped in baton-common so every service reads the same file. */
    static final String BUILT_IN = "dev/baton/pipeline.json";

    /** The file format: stages in order, declared transitions, and where cancel leads. */
    record PipelineFile(List<StageEntry> stages, List<TransitionEntry> transitions, String cancelTo) {
    }

    record StageEntry(String key, Map<String, String> label, boolean terminal, boolean worked, List<String> gates) {
    }

    record TransitionEntry(String from, String to, String kind, List<String> effects) {
    }

    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Produces
    @Singleton
    PipelineDefinition pipeline(PipelineConfig config) {
        String source = config.file().orElse("classpath:" + BUILT_IN);
        try (InputStream in = config.file().isPresent()
                ? Files.newInputStream(Path.of(config.file().get()))
                : PipelineLoader.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new InvalidPipelineException(List.of(source + " not found"));
            }
            return parse(json.readValue(in, PipelineFile.class));
        } catch (IOException e) {
            throw new InvalidPipelineException(List.of("cannot read " + source + ": " + e.getMessage()));
        }
    }

    static PipelineDefinition parse(PipelineFile file) {
        List<Stage> stages = file.stages() == null ? List.of() : file.stages().stream()
                .map(s -> new Stage(s.key(), s.label() == null ? Map.of() : Map.copyOf(s.label()), s.terminal(),
                        s.worked(), s.gates()))
                .toList();
        List<Transition> transitions;
        try {
            transitions = file.transitions() == null ? List.of() : file.transitions().stream()
                    .map(t -> new Transition(t.from(), t.to(),
                            TransitionKind.fromKey(t.kind() == null ? "advance" : t.kind()),
                            t.effects() == null ? List.of() : List.copyOf(t.effects())))
                    .toList();
        } catch (IllegalArgumentException e) {
            throw new InvalidPipelineException(List.of(e.getMessage()));
        }
        return PipelineDefinition.of(stages, transitions, file.cancelTo());
    }
}
