package dev.baton.gateway;

import dev.baton.infra.test.SettingsContract;

import java.util.List;

/** Each of the gateway's duration, count and URL settings refuses a malformed and an out-of-range value. */
class GatewaySettingsTest extends SettingsContract {

    @Override
    protected List<Class<?>> settings() {
        return WebhookGatewayMain.SETTINGS;
    }

    @Override
    protected Class<?> main() {
        return WebhookGatewayMain.class;
    }

    @Override
    protected List<BadValues> table() {
        return List.of(
                // Gitea gives up after 5 s and never retries: the broker wait must stay under it.
                bad("BATON_GATEWAY_PUBLISH_TIMEOUT", "4 s", "5s"),
                bad("BATON_GATEWAY_MAX_BODY_BYTES", "1MB", "0"));
    }
}
