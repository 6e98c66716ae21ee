package dev.baton.gateway;

import dev.baton.common.Preflight;
import dev.baton.gateway.config.GatewayConfig;
import dev.baton.gateway.config.GiteaConfig;
import dev.baton.gateway.config.PlaneConfig;
import dev.baton.gateway.webhook.WorkItemRule;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.util.List;

/** Checks the settings the gateway cannot run without, then boots Quarkus. */
@QuarkusMain
public final class WebhookGatewayMain {

    static final int DEFAULT_PORT = 8080;
    /** Every settings interface: their constraints are what a setting must satisfy. */
    static final List<Class<?>> SETTINGS = List.of(GatewayConfig.class, GiteaConfig.class, PlaneConfig.class);

    private WebhookGatewayMain() {
    }

    public static void main(String... args) {
        Preflight preflight = new Preflight(System.getenv());
        preflight.optional("KAFKA_BOOTSTRAP_SERVERS", "host:port[,host:port]", Preflight::isBootstrapList)
                .optional("QUARKUS_HTTP_PORT", "a port number 0-65535", Preflight::isPort)
                .optional("BATON_GATEWAY_WORK_ITEM_PATTERN", "a Java regular expression", WorkItemRule::isValid)
                .settings(SETTINGS)
                .portFree("QUARKUS_HTTP_PORT", preflight.port("QUARKUS_HTTP_PORT", DEFAULT_PORT))
                .exitOnProblems("webhook-gateway");
        Quarkus.run(args);
    }
}
