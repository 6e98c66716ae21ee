package dev.baton.notifier.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A per-chat queue that keeps each chat under {@code limit} messages a minute and honours a 429's
 * {@code retry_after} for every later caller of that chat, not only the one that got it.
 *
 * <p>One fair lock per chat: callers wait in arrival order, and the one at the head sleeps until
 * the sliding one-minute window has room. Callers run on worker threads, never the event loop.
 */
final class ChatThrottle {

    /** How waiting is done; a test passes one that moves a fake clock. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    static final Duration WINDOW = Duration.ofMinutes(1);

    private final Clock clock;
    private final Sleeper sleeper;
    private final int limit;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    ChatThrottle(Clock clock, Sleeper sleeper, int limit) {
        this.clock = clock;
        this.sleeper = sleeper;
        this.limit = Math.max(1, limit);
    }

    /** Waits for this chat's turn and a free slot in its window, then takes the slot. */
    void acquire(String chatId) throws InterruptedException {
        Lane lane = lanes.computeIfAbsent(chatId, id -> new Lane());
        lane.lock.lockInterruptibly();
        try {
            while (true) {
                Instant now = clock.instant();
                while (!lane.sent.isEmpty() && !lane.sent.peekFirst().plus(WINDOW).isAfter(now)) {
                    lane.sent.pollFirst();
                }
                Instant freeAt = lane.blockedUntil;
                if (lane.sent.size() >= limit) {
                    Instant slot = lane.sent.peekFirst().plus(WINDOW);
                    freeAt = slot.isAfter(freeAt) ? slot : freeAt;
                }
                if (!freeAt.isAfter(now)) {
                    lane.sent.addLast(now);
                    return;
                }
                sleeper.sleep(Duration.between(now, freeAt));
            }
        } finally {
            lane.lock.unlock();
        }
    }

    /** Telegram said 429: nobody sends to this chat before {@code wait} has passed. */
    void pause(String chatId, Duration wait) {
        Lane lane = lanes.computeIfAbsent(chatId, id -> new Lane());
        Instant until = clock.instant().plus(wait);
        synchronized (lane) {
            if (until.isAfter(lane.blockedUntil)) {
                lane.blockedUntil = until;
            }
        }
    }

    private static final class Lane {
        private final ReentrantLock lock = new ReentrantLock(true);
        private final Deque<Instant> sent = new ArrayDeque<>();
        private volatile Instant blockedUntil = Instant.MIN;
    }
}
