package dev.baton.reaper;

import dev.baton.common.Preflight;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** Checks the settings the reaper cannot run without, then boots Quarkus. */
@QuarkusMain
public final class ReaperServiceMain {

    static final int DEFAULT_PORT = 8082;

    private ReaperServiceMain() {
    }

    public static void main(String... args) {
        Preflight preflight = new Preflight(System.getenv());
        preflight.optional("KAFKA_BOOTSTRAP_SERVERS", "host:port[,host:port]", Preflight::isBootstrapList)
                .optional("QUARKUS_HTTP_PORT", "a port number 0-65535", Preflight::isPort)
                .optional("BATON_STAGE_SERVICE_URL", "http(s)://host[:port]", Preflight::isHttpUrl)
                .portFree("QUARKUS_HTTP_PORT", preflight.port("QUARKUS_HTTP_PORT", DEFAULT_PORT))
                .exitOnProblems("reaper-service");
        Quarkus.run(args);
    }
}
