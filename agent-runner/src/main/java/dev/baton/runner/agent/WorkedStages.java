package dev.baton.runner.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The worked stages of the pipeline definition, the one source of stage keys: the file
 * stage-service runs ({@code BATON_PIPELINE_FILE}) or the built-in one.
 */
public final class WorkedStages {

    static final String BUILT_IN = "dev/baton/pipeline.json";

    private WorkedStages() {
    }

    public static Set<String> of(String pipelineFile) {
        try (InputStream in = pipelineFile == null || pipelineFile.isBlank()
                ? WorkedStages.class.getClassLoader().getResourceAsStream(BUILT_IN)
                : Files.newInputStream(Path.of(pipelineFile))) {
            if (in == null) {
                throw new IllegalStateException("the built-in pipeline " + BUILT_IN + " is missing");
            }
            Set<String> worked = new LinkedHashSet<>();
            for (JsonNode stage : new ObjectMapper().readTree(in).path("stages")) {
                if (stage.path("worked").asBoolean(false)) {
                    worked.add(stage.path("key").asText());
                }
            }
            return worked;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the pipeline " + pipelineFile, e);
        }
    }
}
