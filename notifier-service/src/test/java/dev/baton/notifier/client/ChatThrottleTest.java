package dev.baton.notifier.client;

import dev.baton.infra.test.TestClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-chat queue keeps a chat under its per-minute limit and honours 429 pauses. */
class ChatThrottleTest {

    /** The shared test clock, standing still until the fake sleeper moves it; it keeps the sleeps. */
    static final class FakeTime extends TestClock {
        final List<Duration> sleeps = new ArrayList<>();

        FakeTime() {
            super(Optional.of("2026-11-28T00:00:00Z"));
        }

        void sleep(Duration d) {
            sleeps.add(d);
            advance(d);
        }
    }

    @Test
    void staysUnderTwentyMessagesAMinutePerChat() throws Exception {
        FakeTime time = new FakeTime();
        ChatThrottle throttle = new ChatThrottle(time, time::sleep, 20);
        Instant start = time.instant();
        for (int i = 0; i < 20; i++) {
            throttle.acquire("-100");
        }
        assertTrue(time.sleeps.isEmpty(), "the first 20 go at once");
        throttle.acquire("-200");
        assertTrue(time.sleeps.isEmpty(), "another chat has its own window");
        throttle.acquire("-100");
        assertEquals(start.plus(Duration.ofMinutes(1)), time.instant(), "the 21st waits for the window");
        for (int i = 0; i < 19; i++) {
            throttle.acquire("-100");
        }
        assertEquals(start.plus(Duration.ofMinutes(1)), time.instant());
        throttle.acquire("-100");
        assertEquals(start.plus(Duration.ofMinutes(2)), time.instant());
    }

    @Test
    void a429PausesEveryoneOfThatChat() throws Exception {
        FakeTime time = new FakeTime();
        ChatThrottle throttle = new ChatThrottle(time, time::sleep, 20);
        Instant start = time.instant();
        throttle.pause("-100", Duration.ofSeconds(5));
        throttle.acquire("-200");
        assertEquals(start, time.instant());
        throttle.acquire("-100");
        assertEquals(start.plusSeconds(5), time.instant());
    }

    @Test
    void aSenderTakingAChatOverCountsThePreviousSendersLastMinute() throws Exception {
        FakeTime time = new FakeTime();
        ChatThrottle throttle = new ChatThrottle(time, time::sleep, 20);
        Instant start = time.instant();
        List<Instant> previous = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            previous.add(start.minusSeconds(30).plusSeconds(i));
        }
        throttle.adopt("-100", previous);
        for (int i = 0; i < 5; i++) {
            throttle.acquire("-100");
        }
        assertTrue(time.sleeps.isEmpty(), "5 more fit beside the 15 the dead sender made");
        throttle.awaitFree("-100");
        assertEquals(start.plusSeconds(30), time.instant(), "the next waits until the oldest of those leaves the window");
        throttle.acquire("-100");
        assertEquals(start.plusSeconds(30), time.instant(), "awaitFree did not spend the slot");
    }

    @Test
    void aCallStillOnTheWireCountsUntilTheLatestInstantItCouldArrive() throws Exception {
        FakeTime time = new FakeTime();
        ChatThrottle throttle = new ChatThrottle(time, time::sleep, 20);
        Instant start = time.instant();
        List<Instant> previous = new ArrayList<>();
        for (int i = 0; i < 19; i++) {
            previous.add(start.minusSeconds(50));
        }
        previous.add(start.plusSeconds(20)); // reserved by a replica killed mid-call: it may reach Telegram up to then
        throttle.adopt("-100", previous);
        throttle.acquire("-100");
        assertEquals(start.plusSeconds(10), time.instant(), "the 19 old calls leave the window first");
        for (int i = 0; i < 18; i++) {
            throttle.acquire("-100");
        }
        assertEquals(start.plusSeconds(10), time.instant());
        throttle.acquire("-100");
        assertEquals(start.plusSeconds(70), time.instant(), "20 in the window until the first of them leaves it");
    }

    @Test
    void aYieldedChatTakesNoCallEvenFromACallerAlreadyWaitingForASlot() throws Exception {
        FakeTime time = new FakeTime();
        ChatThrottle[] throttle = new ChatThrottle[1];
        throttle[0] = new ChatThrottle(time, wait -> {
            time.sleep(wait);
            throttle[0].yieldChat("-100"); // the sender lost the chat while this caller waited
        }, 20);
        for (int i = 0; i < 20; i++) {
            throttle[0].acquire("-100");
        }
        assertThrows(ChatThrottle.Yielded.class, () -> throttle[0].acquire("-100"));
        assertThrows(ChatThrottle.Yielded.class, () -> throttle[0].awaitFree("-100"));
        assertTrue(!time.sleeps.isEmpty(), "the caller was waiting for a slot when the chat was yielded");

        throttle[0].adopt("-100", List.of());
        time.advance(Duration.ofMinutes(1));
        throttle[0].acquire("-100");
    }

    @Test
    void aSlotCountsFromTheEndOfItsCall() throws Exception {
        FakeTime time = new FakeTime();
        ChatThrottle throttle = new ChatThrottle(time, time::sleep, 1);
        Instant start = time.instant();
        Instant taken = throttle.acquire("-100");
        time.advance(Duration.ofSeconds(15)); // a slow call
        assertEquals(start.plusSeconds(15), throttle.completed("-100", taken));
        throttle.acquire("-100");
        assertEquals(start.plusSeconds(75), time.instant());
    }
}
