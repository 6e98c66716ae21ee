package dev.baton.notifier.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
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
 *
 * <p>A chat this process stopped sending to ({@link #yieldChat}, its sender lost the chat) takes no
 * more calls here until it is adopted again: another replica's sender spends its budget now.
 */
final class ChatThrottle {

    static final Duration WINDOW = Duration.ofMinutes(1);
    /** The longest single sleep, so a waiting caller notices a yielded chat within it. */
    private static final Duration NAP = Duration.ofSeconds(1);

    private final Clock clock;
    private final Sleeper sleeper;
    private final int limit;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    /** This process no longer sends to the chat. */
    static final class Yielded extends RuntimeException {
        Yielded(String chatId) {
            super("no longer the sender of chat " + chatId);
        }
    }

    ChatThrottle(Clock clock, Sleeper sleeper, int limit) {
        this.clock = clock;
        this.sleeper = sleeper;
        this.limit = Math.max(1, limit);
    }

    /**
     * Waits for this chat's turn and a free slot in its window, then takes the slot.
     * @return when it was taken @throws Yielded when the chat was yielded meanwhile
     */
    Instant acquire(String chatId) throws InterruptedException {
        return waitForSlot(chatId, true);
    }

    /**
     * The call that took the slot at {@code taken} has finished: the slot counts from now, not from
     * when it was taken. Telegram counts a call when it arrives, which can be any time between the
     * two, so counting from the end keeps every window as Telegram sees it within the limit, however
     * long a call waited on the way. @return the instant the slot now counts from
     */
    Instant completed(String chatId, Instant taken) {
        Lane lane = lane(chatId);
        lane.lock.lock();
        try {
            Instant now = clock.instant();
            lane.sent.remove(taken);
            lane.add(now);
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

    /**
     * This process sends to the chat (again), counting the calls another process made to it within
     * the window (a sender taking the chat over), calls still on the wire included.
     */
    void adopt(String chatId, List<Instant> sent) {
        Lane lane = lane(chatId);
        lane.lock.lock();
        try {
            sent.forEach(lane::add);
            lane.yielded = false;
        } finally {
            lane.lock.unlock();
        }
    }

    /** This process stopped sending to the chat: a call that has not reached the wire is not made. */
    void yieldChat(String chatId) {
        lane(chatId).yielded = true;
    }

    /** Whether this process may still call the chat (it was not yielded). */
    boolean sendsTo(String chatId) {
        return !lane(chatId).yielded;
    }

    private Instant waitForSlot(String chatId, boolean take) throws InterruptedException {
        Lane lane = lane(chatId);
        lane.lock.lockInterruptibly();
        try {
            while (true) {
                if (lane.yielded) {
                    throw new Yielded(chatId);
                }
                Instant now = clock.instant();
                while (!lane.sent.isEmpty() && !lane.sent.get(0).plus(WINDOW).isAfter(now)) {
                    lane.sent.remove(0);
                }
                Instant freeAt = lane.blockedUntil;
                if (lane.sent.size() >= limit) {
                    Instant slot = lane.sent.get(lane.sent.size() - limit).plus(WINDOW);
                    freeAt = slot.isAfter(freeAt) ? slot : freeAt;
                }
                if (!freeAt.isAfter(now)) {
                    if (take) {
                        lane.add(now);
                    }
                    return now;
                }
                Duration wait = Duration.between(now, freeAt);
                sleeper.sleep(wait.compareTo(NAP) > 0 ? NAP : wait);
            }
        } finally {
            lane.lock.unlock();
        }
    }

    /** Telegram said 429: nobody sends to this chat before {@code wait} has passed. */
    void pause(String chatId, Duration wait) {
        Lane lane = lane(chatId);
        Instant until = clock.instant().plus(wait);
        synchronized (lane) {
            if (until.isAfter(lane.blockedUntil)) {
                lane.blockedUntil = until;
            }
        }
    }

    private Lane lane(String chatId) {
        return lanes.computeIfAbsent(chatId, id -> new Lane());
    }

    private static final class Lane {
        private final ReentrantLock lock = new ReentrantLock(true);
        /** The instants the calls in the window count from, oldest first (some may lie ahead: calls on the wire). */
        private final List<Instant> sent = new ArrayList<>();
        private volatile Instant blockedUntil = Instant.MIN;
        private volatile boolean yielded;

        void add(Instant at) {
            int index = Collections.binarySearch(sent, at);
            sent.add(index >= 0 ? index + 1 : -index - 1, at);
        }
    }
}
