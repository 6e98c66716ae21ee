package dev.baton.notifier.support;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * Telegram's real budget for a group chat, 20 messages a minute, instead of the fake's 100000. The
 * tests that read the fake's call times share this one profile, so one application serves them all;
 * they turn {@link FastForward} on so the budget's waits move the clock instead of taking minutes.
 */
public class RealChatLimit implements QuarkusTestProfile {

    public static final int LIMIT = 20;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("baton.telegram.messages-per-minute", Integer.toString(LIMIT));
    }
}
