package dev.baton.gateway;

import dev.baton.common.Preflight;
import dev.baton.gateway.webhook.WorkItemRule;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.time.Duration;

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
                .optional("BATON_GATEWAY_WORK_ITEM_PATTERN", "a Java regular expression", WorkItemRule::isValid)
                .optional("BATON_GATEWAY_PUBLISH_TIMEOUT", "a duration under Gitea's 5 s, e.g. 4s",
                        WebhookGatewayMain::isPublishTimeout)
                .portFree("QUARKUS_HTTP_PORT", preflight.port("QUARKUS_HTTP_PORT", DEFAULT_PORT))
                .exitOnProblems("webhook-gateway");
        Quarkus.run(args);
    }

    /** The webhook secrets are not checked here: unset is valid and refuses that sender with 401. */
    static boolean isPublishTimeout(String value) {
        Duration timeout = DurationConverter.parseDuration(value);
        return timeout != null && !timeout.isNegative() && !timeout.isZero() && timeout.compareTo(Duration.ofSeconds(5)) < 0;
    }
}
