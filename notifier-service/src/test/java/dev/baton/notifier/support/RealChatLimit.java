package dev.baton.notifier.support;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * Telegram's real budget for a group chat, 20 messages a minute, instead of the fake's 100000. The
 * tests that read the fake's call times share this one profile, so one application serves them all;
 * they turn {@link FastForward} on so the budget's waits move the clock instead of taking minutes.
 *
 * <p>The Bot API's read timeout is a production-like 10 s here, not the fake's 1.2 s (kept short for
 * the timeout test): on a loaded machine the fake could still be answering (and stamping) a call
 * the client had already given up on and counted, which the budget tests would read as a 21st
 * call in a minute (and its retry as a second card).
 */
public class RealChatLimit implements QuarkusTestProfile {

    public static final int LIMIT = 20;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("baton.telegram.messages-per-minute", Integer.toString(LIMIT),
                "quarkus.rest-client.telegram.read-timeout", "10000");
    }
}
