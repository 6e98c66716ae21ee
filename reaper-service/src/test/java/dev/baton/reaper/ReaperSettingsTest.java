package dev.baton.reaper;

import dev.baton.infra.test.SettingsContract;

/** Each of the reaper's duration, count, rate and URL settings refuses a malformed and an out-of-range value. */
class ReaperSettingsTest extends SettingsContract {

    ReaperSettingsTest() {
        super(ReaperServiceMain.class, ReaperServiceMain.SETTINGS);
    }
}
