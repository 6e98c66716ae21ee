package dev.baton.stage.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds, read as milliseconds at a percentile (nearest rank). */
record Latencies(long[] nanos) {

    static Latencies of(long[] samples, int count) {
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        return new Latencies(sorted);
    }

    int count() {
        return nanos.length;
    }

    double ms(double percentile) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(percentile / 100.0 * nanos.length);
        return nanos[Math.max(0, Math.min(nanos.length - 1, rank - 1))] / 1_000_000.0;
    }

    double maxMs() {
        return nanos.length == 0 ? Double.NaN : nanos[nanos.length - 1] / 1_000_000.0;
    }
}
