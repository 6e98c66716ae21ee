package dev.baton.gateway;

import dev.baton.common.Preflight;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** Checks the settings the gateway cannot run without, then boots Quarkus. */
@QuarkusMain
public final class WebhookGatewayMain {

    static final int DEFAULT_PORT = 8080;

    private WebhookGatewayMain() {
    }

    public static void main(String... args) {
        Preflight preflight = new Preflight(System.getenv());
        preflight.optional("KAFKA_BOOTSTRAP_SERVERS", "host:port[,host:port]", Preflight::isBootstrapList)
                .optional("QUARKUS_HTTP_PORT", "a port number 0-65535", Preflight::isPort)
                .optional("BATON_GATEWAY_MAX_BODY_BYTES", "a positive number of bytes", Preflight::isPositiveInt)
                .portFree("QUARKUS_HTTP_PORT", preflight.port("QUARKUS_HTTP_PORT", DEFAULT_PORT))
                .exitOnProblems("webhook-gateway");
        Quarkus.run(args);
    }
}
