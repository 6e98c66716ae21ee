package dev.baton.notifier.support;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** A replica that only consumes: no chat sender runs, so a test drives every Telegram exchange itself. */
public class SendersOff implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("baton.notifier.senders", "false");
    }
}
