package dev.baton.notifier;

import dev.baton.infra.test.SettingsContract;

/** Each of the notifier's duration, count, rate and URL settings refuses a malformed and an out-of-range value. */
class NotifierSettingsTest extends SettingsContract {

    NotifierSettingsTest() {
        super(NotifierServiceMain.class, NotifierServiceMain.SETTINGS);
    }
}
