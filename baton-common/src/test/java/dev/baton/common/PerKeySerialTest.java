package dev.baton.common;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerKeySerialTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void eachKeysTasksRunOneAtATimeInSubmissionOrderWhileKeysRunSideBySide() throws Exception {
        PerKeySerial serial = new PerKeySerial();
        int keys = 16;
        int perKey = 200;
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
        AtomicInteger overlapsWithinAKey = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int n = 0; n < perKey; n++) {
            for (int k = 0; k < keys; k++) {
                String key = "ITEM-" + k;
                int position = n;
                all.add(serial.submit(key, () -> CompletableFuture.runAsync(() -> {
                    if (inside.computeIfAbsent(key, x -> new AtomicInteger()).incrementAndGet() > 1) {
                        overlapsWithinAKey.incrementAndGet();
                    }
                    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                    seen.computeIfAbsent(key, x -> Collections.synchronizedList(new ArrayList<>())).add(position);
                    if (position % 50 == 0) {
                        sleep(2);
                    }
                    running.decrementAndGet();
                    inside.get(key).decrementAndGet();
                }, pool)));
            }
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        assertEquals(0, overlapsWithinAKey.get(), "never two tasks of one key at once");
        List<Integer> expected = new ArrayList<>();
        for (int n = 0; n < perKey; n++) {
            expected.add(n);
        }
        for (int k = 0; k < keys; k++) {
            assertEquals(expected, seen.get("ITEM-" + k), "ITEM-" + k + " in submission order");
        }
        assertTrue(mostAtOnce.get() > 1, "different keys ran side by side: at most " + mostAtOnce.get());
        awaitNoActiveKeys(serial);
    }

    @Test
    void aFailingOrThrowingTaskNeitherStopsItsKeyNorLeavesItsFutureHanging() throws Exception {
        PerKeySerial serial = new PerKeySerial();
        CountDownLatch hold = new CountDownLatch(1);
        AtomicInteger ranAfter = new AtomicInteger();
        CompletableFuture<Void> first = serial.submit("ITEM-1", () -> CompletableFuture.runAsync(() -> {
            await(hold);
            throw new IllegalStateException("Telegram said no");
        }, pool));
        CompletableFuture<Void> second = serial.submit("ITEM-1", () -> {
            ranAfter.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        });
        CompletableFuture<Void> third = serial.submit("ITEM-1", () -> {
            throw new IllegalArgumentException("a task that throws before it starts");
        });
        assertEquals(1, serial.activeKeys());
        assertEquals(0, ranAfter.get(), "the second waits for the first");
        hold.countDown();
        assertThrows(ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS), "the caller sees the failure");
        second.get(10, TimeUnit.SECONDS);
        assertThrows(ExecutionException.class, () -> third.get(10, TimeUnit.SECONDS));
        assertEquals(1, ranAfter.get(), "the task after a failed one ran");
        awaitNoActiveKeys(serial);
    }

    private static void awaitNoActiveKeys(PerKeySerial serial) throws InterruptedException {
        for (int i = 0; i < 100 && serial.activeKeys() > 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, serial.activeKeys(), "finished keys are forgotten");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
