package dev.baton.runner.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Stops a process and everything it started. The descendants are listed BEFORE any signal: once a
 * parent dies its children are re-parented to init and no longer show up as its descendants.
 *
 * <ol>
 *   <li>List the root and all its descendants.</li>
 *   <li>SIGTERM each of them (children first, so a shell cannot restart what it lost).</li>
 *   <li>Wait up to {@code grace} for all to exit; SIGKILL whatever is still alive.</li>
 * </ol>
 */
public final class ProcessTree {

    private ProcessTree() {
    }

    /** @return how many processes were still alive after the grace and got SIGKILL */
    public static int stop(ProcessHandle root, Duration grace) {
        List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
        all.add(root);
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle process : all) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    process.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (Exception stillAlive) {
                    // SIGKILLed below.
                }
            }
        }
        // A process started during the grace (a shell reacting to SIGTERM) is caught here too.
        List<ProcessHandle> survivors = Stream.concat(all.stream(), root.descendants())
                .filter(ProcessHandle::isAlive).distinct().toList();
        survivors.forEach(ProcessHandle::destroyForcibly);
        return survivors.size();
    }
}
