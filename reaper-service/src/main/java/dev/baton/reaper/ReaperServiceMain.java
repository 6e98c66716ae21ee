package dev.baton.reaper;

import dev.baton.common.Preflight;
import dev.baton.reaper.config.AdminConfig;
import dev.baton.reaper.config.FinalizerConfig;
import dev.baton.reaper.config.GiteaConfig;
import dev.baton.reaper.config.PlaneConfig;
import dev.baton.reaper.config.ReaperConfig;
import dev.baton.reaper.config.ReconcilerConfig;
import dev.baton.reaper.config.StageServiceConfig;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.util.List;

/** Checks the settings the reaper cannot run without, then boots Quarkus. */
@QuarkusMain
public final class ReaperServiceMain {

    static final int DEFAULT_PORT = 8082;
    /** Every settings interface: their constraints are what a setting must satisfy. */
    static final List<Class<?>> SETTINGS = List.of(ReaperConfig.class, FinalizerConfig.class, ReconcilerConfig.class,
            StageServiceConfig.class, GiteaConfig.class, PlaneConfig.class, AdminConfig.class);

    private ReaperServiceMain() {
    }

    public static void main(String... args) {
        Preflight preflight = new Preflight(System.getenv());
        preflight.optional("KAFKA_BOOTSTRAP_SERVERS", "host:port[,host:port]", Preflight::isBootstrapList)
                .optional("QUARKUS_HTTP_PORT", "a port number 0-65535", Preflight::isPort)
                .settings(SETTINGS)
                .portFree("QUARKUS_HTTP_PORT", preflight.port("QUARKUS_HTTP_PORT", DEFAULT_PORT))
                .exitOnProblems("reaper-service");
        Quarkus.run(args);
    }
}
