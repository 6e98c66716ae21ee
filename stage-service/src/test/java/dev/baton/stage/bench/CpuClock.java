package dev.baton.stage.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time spent by this JVM (the application, the benchmark's driver threads and the
 * in-process broker) and by the local PostgreSQL server (the postmaster's children, live and
 * exited), so a phase can say where its cost went. PostgreSQL's share is only known when the
 * server runs on this machine ({@code /proc}); otherwise it is negative.
 */
final class CpuClock {

    /** Linux's USER_HZ: {@code /proc/<pid>/stat} counts CPU time in 1/100 s. */
    private static final long TICK_NANOS = 10_000_000L;

    private final long postmaster;

    /** @param backendPid {@code pg_backend_pid()} of any connection to the server */
    CpuClock(long backendPid) {
        long[] stat = stat(backendPid);
        this.postmaster = stat == null ? -1 : stat[0];
    }

    /**
     * {jvm, postgres, event loops, Kafka client} in nanoseconds. The event loops run the
     * reactive PostgreSQL client, the transition's own code and the relay's database work; the
     * Kafka client threads are the relay's producer. The benchmark's driver threads are counted
     * by the drivers themselves ({@link #currentThread()}); the rest of the JVM is the in-process
     * broker, GC and JIT.
     */
    long[] now() {
        long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long loops = 0;
        long kafka = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long used = Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            if (info.getThreadName().startsWith("vert.x-eventloop")) {
                loops += used;
            } else if (info.getThreadName().contains("kafka-producer")) {
                kafka += used;
            }
        }
        return new long[] {jvm, postgres(), loops, kafka};
    }

    /** CPU time of the calling thread so far. */
    static long currentThread() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private long postgres() {
        if (postmaster < 0) {
            return -1;
        }
        long[] own = stat(postmaster);
        if (own == null) {
            return -1;
        }
        long ticks = own[1] + own[2];
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                long[] child = stat(Long.parseLong(proc.getFileName().toString()));
                if (child != null && child[0] == postmaster) {
                    ticks += child[1];
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks * TICK_NANOS;
    }

    /** {ppid, utime + stime, cutime + cstime} of a process, or null if it is gone. */
    private static long[] stat(long pid) {
        try {
            String text = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
            String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]) + Long.parseLong(f[12]),
                    Long.parseLong(f[13]) + Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
