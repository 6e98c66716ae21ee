package dev.baton.runner.workspace;

import dev.baton.runner.config.RunnerConfig;
import dev.baton.runner.process.ProcessTree;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The runner's disk: one directory per job under {@code BATON_RUNNER_WORKDIR/jobs/<id>} (the clone
 * in {@code repo/}, result files and the agent's pid beside it, never inside the clone), and
 * per-job logs under {@code logs/}. A finished job's directory is removed; a failed one is kept
 * for {@code BATON_RUNNER_KEEP_FAILED} and then removed with its log.
 */
@ApplicationScoped
public class Workspaces {

    private static final Logger LOG = Logger.getLogger(Workspaces.class);
    static final String KEPT = "kept-since";
    static final String PID = "agent.pid";

    private final RunnerConfig config;
    private final Clock clock;

    public Workspaces(RunnerConfig config) {
        this.config = config;
        this.clock = Clock.systemUTC();
    }

    public Path root() {
        return Path.of(config.workdir());
    }

    public Path job(long jobId) {
        return root().resolve("jobs").resolve(Long.toString(jobId));
    }

    /** A fresh, empty clone directory for an attempt of the job. */
    public Path freshRepo(long jobId) {
        Path repo = job(jobId).resolve("repo");
        delete(repo);
        try {
            Files.createDirectories(repo);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the workspace " + repo, e);
        }
        return repo;
    }

    public Path resultFile(long jobId, int attempt) {
        return job(jobId).resolve("result-" + attempt + ".json");
    }

    public Path log(long jobId) {
        return root().resolve("logs").resolve("job-" + jobId + ".log");
    }

    /** Notes the running agent's pid and start, so that the next runner start can stop it if this one dies. */
    public void notePid(long jobId, ProcessHandle process) {
        String start = process.info().startInstant().map(Instant::toString).orElse("");
        try {
            Files.writeString(job(jobId).resolve(PID), process.pid() + " " + start, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warnf("job %d: cannot note the agent's pid: %s", jobId, e.getMessage());
        }
    }

    public void clearPid(long jobId) {
        try {
            Files.deleteIfExists(job(jobId).resolve(PID));
        } catch (IOException e) {
            LOG.warnf("job %d: cannot remove the agent's pid file: %s", jobId, e.getMessage());
        }
    }

    /** True if the job's clone holds more than the ceiling. */
    public boolean tooBig(long jobId) {
        return size(job(jobId).resolve("repo"), config.maxWorkspaceBytes()) > config.maxWorkspaceBytes();
    }

    public void discard(long jobId) {
        delete(job(jobId));
    }

    /** A failed job's workspace stays for a person to look at, until the janitor removes it. */
    public void keep(long jobId) {
        if (!Files.isDirectory(job(jobId))) {
            return;
        }
        try {
            Files.writeString(job(jobId).resolve(KEPT), clock.instant().toString());
        } catch (IOException e) {
            LOG.warnf("job %d: cannot mark its workspace kept: %s", jobId, e.getMessage());
        }
    }

    /**
     * At start, before registering: an agent the previous runner process left running (it was
     * SIGKILLed and could not stop its children) is stopped, so that the requeued job never runs
     * twice at the same time; that process's unkept workspaces are removed.
     *
     * @return how many leftover agents were stopped
     */
    public int stopLeftovers(Duration grace) {
        int stopped = 0;
        for (Path dir : children(root().resolve("jobs"))) {
            Path pid = dir.resolve(PID);
            if (Files.isRegularFile(pid)) {
                Optional<ProcessHandle> leftover = leftover(pid);
                if (leftover.isPresent()) {
                    LOG.warnf("stopping agent pid %d left running by a previous runner process (%s)",
                            leftover.get().pid(), dir.getFileName());
                    ProcessTree.stop(leftover.get(), grace);
                    stopped++;
                }
            }
            if (!Files.exists(dir.resolve(KEPT))) {
                delete(dir);
            }
        }
        return stopped;
    }

    /** Removes kept workspaces and logs older than {@code BATON_RUNNER_KEEP_FAILED}. */
    public void sweep() {
        Instant before = clock.instant().minus(config.keepFailed());
        for (Path dir : children(root().resolve("jobs"))) {
            Path kept = dir.resolve(KEPT);
            try {
                if (Files.exists(kept) && Instant.parse(Files.readString(kept).trim()).isBefore(before)) {
                    delete(dir);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warnf("cannot judge the kept workspace %s: %s", dir, e.getMessage());
            }
        }
        for (Path log : children(root().resolve("logs"))) {
            try {
                if (Files.getLastModifiedTime(log).toInstant().isBefore(before)) {
                    Files.deleteIfExists(log);
                }
            } catch (IOException e) {
                LOG.warnf("cannot remove the old log %s: %s", log, e.getMessage());
            }
        }
    }

    private static Optional<ProcessHandle> leftover(Path pidFile) {
        try {
            String[] parts = Files.readString(pidFile).trim().split(" ");
            Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(parts[0]));
            // A pid is reused by the OS: only the very process we started, by its start time.
            return process.filter(p -> parts.length > 1 && p.info().startInstant().map(Instant::toString)
                    .map(parts[1]::equals).orElse(false));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Bytes under {@code dir}, stopping early once past {@code limit}. */
    static long size(Path dir, long limit) {
        AtomicLong total = new AtomicLong();
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    return total.addAndGet(attrs.size()) > limit ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warnf("cannot measure %s: %s", dir, e.getMessage());
        }
        return total.get();
    }

    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    path.toFile().setWritable(true);
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.warnf("cannot remove %s: %s", path, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.warnf("cannot remove %s: %s", dir, e.getMessage());
        }
    }
}
