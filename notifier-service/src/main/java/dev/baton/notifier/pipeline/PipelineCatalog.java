package dev.baton.notifier.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.notifier.config.NotifierConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * The effective pipeline definition, read from stage-service ({@code GET /pipeline}) and cached.
 * When stage-service cannot be reached the last good definition is kept, or, before the first
 * success, the file stage-service runs ({@code BATON_PIPELINE_FILE}, else the built-in
 * {@code dev/baton/pipeline.json}); the read is tried again after
 * {@code baton.notifier.pipeline-retry}. Called on worker threads only (the read blocks).
 */
@ApplicationScoped
public class PipelineCatalog {

    private static final Logger LOG = Logger.getLogger(PipelineCatalog.class);

    private final StageServiceRestClient stageService;
    private final NotifierConfig config;
    private final Clock clock;
    private final Pipeline builtIn;

    private Pipeline current;
    private boolean fromStageService;
    private Instant nextRead = Instant.MIN;

    PipelineCatalog(@RestClient StageServiceRestClient stageService, NotifierConfig config, Clock clock, ObjectMapper json,
                    @ConfigProperty(name = "baton.pipeline.file") Optional<String> file) {
        this.stageService = stageService;
        this.config = config;
        this.clock = clock;
        this.builtIn = Pipeline.read(json, file);
        this.current = builtIn;
    }

    /** The pipeline to render with; never null, never throws. */
    public synchronized Pipeline current() {
        Instant now = clock.instant();
        if (now.isBefore(nextRead)) {
            return current;
        }
        try {
            Pipeline read = Pipeline.from(stageService.pipeline());
            if (read.stages().isEmpty()) {
                throw new IllegalStateException("stage-service served a pipeline with no stages");
            }
            current = read;
            fromStageService = true;
            nextRead = now.plus(config.pipelineRefresh());
        } catch (RuntimeException e) {
            LOG.warnf("cannot read the pipeline from stage-service (%s); using the %s definition",
                    e.getMessage(), fromStageService ? "last read" : "built-in");
            nextRead = now.plus(config.pipelineRetry());
        }
        return current;
    }

    /** Forget the cached definition: the next {@link #current()} reads stage-service again. */
    public synchronized void refresh() {
        nextRead = Instant.MIN;
    }

    /** The definition from the file (this process's own copy), for when no read is wanted. */
    public Pipeline builtIn() {
        return builtIn;
    }
}
