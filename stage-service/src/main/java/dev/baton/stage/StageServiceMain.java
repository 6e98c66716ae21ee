package dev.baton.stage;

import dev.baton.common.Preflight;
import dev.baton.stage.pipeline.PipelineLoader;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.util.Optional;

/** Checks the settings and the pipeline definition the service cannot run without, then boots Quarkus. */
@QuarkusMain
public final class StageServiceMain {

    static final int DEFAULT_PORT = 8081;
    static final String[] DURATIONS = {"BATON_RECOVERY_INTERVAL", "BATON_RECOVERY_OUTBOX_POLL",
        "BATON_LIVENESS_RECONNECT_DELAY", "BATON_GITEA_BACKOFF", "BATON_GITEA_TIMEOUT", "BATON_PLANE_POLL",
        "BATON_INBOUND_RETRY_DELAY", "BATON_INBOUND_POLL"};
    static final String[] POSITIVE_INTS = {"BATON_RECOVERY_OUTBOX_BATCH", "BATON_GITEA_ATTEMPTS",
        "BATON_PLANE_REQUESTS_PER_MINUTE", "BATON_PLANE_ATTEMPTS", "BATON_INBOUND_MAX_ATTEMPTS",
        "BATON_LIVENESS_KEEPALIVES_IDLE_SECONDS", "BATON_LIVENESS_KEEPALIVES_INTERVAL_SECONDS",
        "BATON_LIVENESS_KEEPALIVES_COUNT"};

    private StageServiceMain() {
    }

    public static void main(String... args) {
        Preflight preflight = new Preflight(System.getenv());
        preflight.optional("BATON_PG_URL", "postgresql://host:port/database", Preflight::isPostgresUrl)
                .optional("KAFKA_BOOTSTRAP_SERVERS", "host:port[,host:port]", Preflight::isBootstrapList)
                .optional("QUARKUS_HTTP_PORT", "a port number 0-65535", Preflight::isPort)
                .optional("BATON_TRANSITION_LEASE_ENABLED", "true or false", Preflight::isBoolean)
                .optional("BATON_GITEA_URL", "an http(s) URL", Preflight::isHttpUrl)
                .optional("BATON_PLANE_URL", "an http(s) URL", Preflight::isHttpUrl);
        for (String duration : DURATIONS) {
            preflight.optional(duration, "a duration such as 30s, 500ms or 2m", Preflight::isDuration);
        }
        for (String count : POSITIVE_INTS) {
            preflight.optional(count, "a positive whole number", Preflight::isPositiveInt);
        }
        preflight.problems(PipelineLoader.problems(Optional.ofNullable(System.getenv("BATON_PIPELINE_FILE")),
                new PipelineLoader.PlaneOverrides(Optional.ofNullable(System.getenv("BATON_PLANE_STATE_MAP")),
                        Optional.ofNullable(System.getenv("BATON_INBOUND_PLANE_STATES")))));
        preflight
                .portFree("QUARKUS_HTTP_PORT", preflight.port("QUARKUS_HTTP_PORT", DEFAULT_PORT))
                .exitOnProblems("stage-service");
        Quarkus.run(args);
    }
}
