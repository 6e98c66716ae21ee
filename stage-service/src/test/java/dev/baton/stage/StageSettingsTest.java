package dev.baton.stage;

import dev.baton.infra.test.SettingsContract;

/** Each of stage-service's duration, count, rate and URL settings refuses a malformed and an out-of-range value. */
class StageSettingsTest extends SettingsContract {

    StageSettingsTest() {
        super(StageServiceMain.class, StageServiceMain.SETTINGS);
    }
}
