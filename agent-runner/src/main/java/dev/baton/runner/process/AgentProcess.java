package dev.baton.runner.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * One attempt of an agent: a child process started from an argv list (no shell), its output
 * pumped on threads of its own into an {@link OutputSink}, and its end — exit, timeout, a stop
 * request, a workspace grown too large — with the exit code Baton reports:
 * the agent's own, {@link #TIMEOUT 124}, {@link #STOPPED 143}, {@link #WORKSPACE_FULL 125}.
 */
public final class AgentProcess {

    public static final int WORKSPACE_FULL = 125;
    public static final int NOT_FOUND = 127;
    public static final int TIMEOUT = 124;
    public static final int STOPPED = 143;
    static final Duration SLICE = Duration.ofSeconds(2);
    static final Duration PUMP_DRAIN = Duration.ofSeconds(5);
    static final int STDOUT_KEPT = 1 << 20;

    /** How the attempt ended. */
    public record Outcome(int exitCode, String reason) {
    }

    private final Process process;
    private final CompletableFuture<Void> stdoutPump;
    private final CompletableFuture<Void> stderrPump;
    private final StringBuilder stdout = new StringBuilder();
    private final Set<ProcessHandle> seen = new LinkedHashSet<>();

    private AgentProcess(Process process, OutputSink sink, boolean keepStdout) {
        this.process = process;
        this.stdoutPump = pump(process.getInputStream(), sink, keepStdout);
        this.stderrPump = pump(process.getErrorStream(), sink, false);
    }

    /**
     * Starts {@code argv} in {@code dir} with exactly {@code env} (nothing of the runner's own).
     *
     * @param keepStdout keep the end of stdout apart for {@link #stdout()} (the agent reports there)
     * @throws IOException when the program cannot be started (not found, not executable)
     */
    public static AgentProcess start(List<String> argv, Map<String, String> env, Path dir, OutputSink sink,
                                     boolean keepStdout) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(env);
        return new AgentProcess(builder.start(), sink, keepStdout);
    }

    public long pid() {
        return process.pid();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    /**
     * Waits for the end of the attempt.
     *
     * @param stop             completes with a reason when the agent must stop (its task left the stage, shutdown)
     * @param workspaceTooBig  checked every {@code sizeCheckEvery}; true stops the agent
     */
    public Outcome await(Duration timeout, Duration killGrace, CompletableFuture<String> stop,
                         BooleanSupplier workspaceTooBig, Duration sizeCheckEvery) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextSizeCheck = System.nanoTime() + sizeCheckEvery.toNanos();
        CompletableFuture<Object> ended = CompletableFuture.anyOf(process.onExit(), stop);
        Outcome outcome = null;
        while (outcome == null) {
            remember();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                stopTree(killGrace);
                outcome = new Outcome(TIMEOUT, "timed out after " + timeout);
                break;
            }
            try {
                ended.get(Math.min(left, SLICE.toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException slice) {
                if (System.nanoTime() >= nextSizeCheck) {
                    nextSizeCheck = System.nanoTime() + sizeCheckEvery.toNanos();
                    if (workspaceTooBig.getAsBoolean()) {
                        stopTree(killGrace);
                        outcome = new Outcome(WORKSPACE_FULL, "workspace grew over its size ceiling");
                    }
                }
                continue;
            } catch (ExecutionException never) {
                throw new IllegalStateException(never);
            }
            if (stop.isDone() && process.isAlive()) {
                stopTree(killGrace);
                outcome = new Outcome(STOPPED, "stopped: " + stop.getNow("requested"));
            } else {
                outcome = new Outcome(process.exitValue(), null);
            }
        }
        // Whatever it left running in the background dies with it, and closes the pipes it held.
        seen.stream().filter(ProcessHandle::isAlive).forEach(left -> ProcessTree.stop(left, killGrace));
        drain();
        return outcome;
    }

    /** stdout as far as kept (the last {@value #STDOUT_KEPT} characters). */
    public String stdout() {
        synchronized (stdout) {
            return stdout.toString();
        }
    }

    private void stopTree(Duration killGrace) {
        remember();
        ProcessTree.stop(process.toHandle(), killGrace);
        seen.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private void remember() {
        process.toHandle().descendants().forEach(seen::add);
    }

    private void drain() throws InterruptedException {
        try {
            CompletableFuture.allOf(stdoutPump, stderrPump).get(PUMP_DRAIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException stuck) {
            closeQuietly(process.getInputStream());
            closeQuietly(process.getErrorStream());
        }
    }

    private CompletableFuture<Void> pump(InputStream in, OutputSink sink, boolean keepStdout) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    sink.write(buffer, 0, n);
                    if (keepStdout) {
                        keep(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException closed) {
                // The stream was closed under us after the process ended: nothing more to read.
            } finally {
                done.complete(null);
            }
        }, "agent-output-" + process.pid());
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    private void keep(String text) {
        synchronized (stdout) {
            stdout.append(text);
            if (stdout.length() > STDOUT_KEPT) {
                stdout.delete(0, stdout.length() - STDOUT_KEPT);
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }
}
