package dev.baton.notifier.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
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

    /** Waits for this chat's turn and a free slot in its window, then takes the slot. @return when it was taken */
    Instant acquire(String chatId) throws InterruptedException {
        return waitForSlot(chatId, true);
    }

    /**
     * The call that took the chat's last slot has finished: the slot counts from now, not from when
     * it was taken. Telegram counts a call when it arrives, which can be any time between the two,
     * so counting from the end keeps every window as Telegram sees it within the limit, however
     * long a call waited on the way. @return the instant the slot now counts from
     */
    Instant completed(String chatId) {
        Lane lane = lanes.computeIfAbsent(chatId, id -> new Lane());
        lane.lock.lock();
        try {
            Instant now = clock.instant();
            if (!lane.sent.isEmpty() && !lane.sent.peekLast().isAfter(now)) {
                lane.sent.pollLast();
            }
            lane.sent.addLast(now);
            return now;
        } finally {
            lane.lock.unlock();
        }
    }

    /**
     * Waits until a slot is free without taking it: the chat's sender decides what to send (alerts
     * first) only once it can send, so nothing that arrives while it waits is passed over.
     */
    void awaitFree(String chatId) throws InterruptedException {
        waitForSlot(chatId, false);
    }

    /** The calls another process made to this chat within the window (a sender taking the chat over). */
    void seed(String chatId, List<Instant> sent) {
        Lane lane = lanes.computeIfAbsent(chatId, id -> new Lane());
        lane.lock.lock();
        try {
            List<Instant> all = new ArrayList<>(lane.sent);
            all.addAll(sent);
            all.sort(null);
            lane.sent.clear();
            lane.sent.addAll(all);
        } finally {
            lane.lock.unlock();
        }
    }

    private Instant waitForSlot(String chatId, boolean take) throws InterruptedException {
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
                    if (take) {
                        lane.sent.addLast(now);
                    }
                    return now;
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
