package dev.baton.stage;

import dev.baton.common.Preflight;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** Checks the settings the service cannot run without, then boots Quarkus. */
@QuarkusMain
public final class StageServiceMain {

    static final int DEFAULT_PORT = 8081;

    private StageServiceMain() {
    }

    public static void main(String... args) {
        Preflight preflight = new Preflight(System.getenv());
        preflight.optional("BATON_PG_URL", "postgresql://host:port/database", Preflight::isPostgresUrl)
                .optional("KAFKA_BOOTSTRAP_SERVERS", "host:port[,host:port]", Preflight::isBootstrapList)
                .optional("QUARKUS_HTTP_PORT", "a port number 0-65535", Preflight::isPort)
                .optional("BATON_TRANSITION_LEASE_ENABLED", "true or false", Preflight::isBoolean)
                .portFree("QUARKUS_HTTP_PORT", preflight.port("QUARKUS_HTTP_PORT", DEFAULT_PORT))
                .exitOnProblems("stage-service");
        Quarkus.run(args);
    }
}
