package dev.baton.stage;

import dev.baton.common.Preflight;
import dev.baton.stage.config.AdminConfig;
import dev.baton.stage.config.ConsoleConfig;
import dev.baton.stage.config.GiteaConfig;
import dev.baton.stage.config.InboundConfig;
import dev.baton.stage.config.LeaseConfig;
import dev.baton.stage.config.LivenessConfig;
import dev.baton.stage.config.PipelineConfig;
import dev.baton.stage.config.PlaneConfig;
import dev.baton.stage.config.RecoveryConfig;
import dev.baton.stage.config.RetentionConfig;
import dev.baton.stage.config.SelfConfig;
import dev.baton.stage.pipeline.PipelineLoader;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.util.List;
import java.util.Optional;

/** Checks the settings and the pipeline definition the service cannot run without, then boots Quarkus. */
@QuarkusMain
public final class StageServiceMain {

    static final int DEFAULT_PORT = 8081;
    /** Every settings interface: their constraints are what a setting must satisfy. */
    static final List<Class<?>> SETTINGS = List.of(RecoveryConfig.class, LivenessConfig.class, LeaseConfig.class,
            GiteaConfig.class, PlaneConfig.class, InboundConfig.class, ConsoleConfig.class, PipelineConfig.class,
            AdminConfig.class, SelfConfig.class, RetentionConfig.class);

    private StageServiceMain() {
    }

    public static void main(String... args) {
        Preflight preflight = new Preflight(System.getenv());
        preflight.optional("BATON_PG_URL", "postgresql://host:port/database", Preflight::isPostgresUrl)
                .optional("KAFKA_BOOTSTRAP_SERVERS", "host:port[,host:port]", Preflight::isBootstrapList)
                .optional("QUARKUS_HTTP_PORT", "a port number 0-65535", Preflight::isPort)
                // SmallRye reads any other word as false: a typo must not switch the lease off.
                .optional("BATON_TRANSITION_LEASE_ENABLED", "true or false", Preflight::isBoolean)
                .settings(SETTINGS)
                .problems(PipelineLoader.problems(Optional.ofNullable(System.getenv("BATON_PIPELINE_FILE")),
                        new PipelineLoader.PlaneOverrides(Optional.ofNullable(System.getenv("BATON_PLANE_STATE_MAP")),
                                Optional.ofNullable(System.getenv("BATON_INBOUND_PLANE_STATES")))))
                .portFree("QUARKUS_HTTP_PORT", preflight.port("QUARKUS_HTTP_PORT", DEFAULT_PORT))
                .exitOnProblems("stage-service");
        Quarkus.run(args);
    }
}
