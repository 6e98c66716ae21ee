package dev.baton.gateway;

import dev.baton.infra.test.SettingsContract;

/** Each of the gateway's duration, count and URL settings refuses a malformed and an out-of-range value. */
class GatewaySettingsTest extends SettingsContract {

    GatewaySettingsTest() {
        super(WebhookGatewayMain.class, WebhookGatewayMain.SETTINGS);
    }
}
