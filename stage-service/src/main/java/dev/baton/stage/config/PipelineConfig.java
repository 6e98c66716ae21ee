package dev.baton.stage.config;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** Where the pipeline definition comes from. */
@ConfigMapping(prefix = "baton.pipeline")
public interface PipelineConfig {

    /** A JSON pipeline definition file ({@code BATON_PIPELINE_FILE}); absent means the built-in one. */
    Optional<String> file();
}
