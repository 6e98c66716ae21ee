package dev.baton.runner.process;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where an agent's output goes, with bounded cost whatever it prints: the per-job log file up to
 * {@code maxFileBytes} (then a marker and nothing more), the last {@code tailBytes} in memory for
 * {@code GET /jobs/{id}/log}, and each line (cut to {@link #LOG_LINE} characters) to the runner's
 * own log under the work item, up to the same byte budget as the file.
 */
public final class OutputSink implements AutoCloseable {

    static final int LOG_LINE = 1000;

    private final Logger log;
    private final String workItem;
    private final long jobId;
    private final long maxFileBytes;
    private final byte[] tail;
    private final OutputStream file;
    private final StringBuilder line = new StringBuilder();
    private long total;
    private int tailStart;
    private int tailSize;
    private boolean capped;

    public OutputSink(Path logFile, long maxFileBytes, int tailBytes, Logger log, String workItem, long jobId)
            throws IOException {
        Files.createDirectories(logFile.getParent());
        this.file = Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        this.maxFileBytes = maxFileBytes;
        this.tail = new byte[tailBytes];
        this.log = log;
        this.workItem = workItem;
        this.jobId = jobId;
    }

    /** A note of the runner's own (attempt start, stop reason) in the job's log and tail. */
    public synchronized void note(String text) {
        write(("[baton] " + text + "\n").getBytes(StandardCharsets.UTF_8), 0, -1, true);
    }

    public synchronized void write(byte[] bytes, int offset, int length) {
        write(bytes, offset, length, false);
    }

    private void write(byte[] bytes, int offset, int length, boolean note) {
        int n = length < 0 ? bytes.length : length;
        for (int i = 0; i < n; i++) {
            tail[(tailStart + tailSize) % tail.length] = bytes[offset + i];
            if (tailSize < tail.length) {
                tailSize++;
            } else {
                tailStart = (tailStart + 1) % tail.length;
            }
        }
        boolean withinBudget = total < maxFileBytes || note;
        total += note ? 0 : n;
        if (!withinBudget) {
            return;
        }
        try {
            if (total > maxFileBytes && !note) {
                int fits = (int) Math.max(0, n - (total - maxFileBytes));
                file.write(bytes, offset, fits);
                file.write(("\n[baton] output beyond " + maxFileBytes + " bytes is not kept in this file\n")
                        .getBytes(StandardCharsets.UTF_8));
                capped = true;
            } else {
                file.write(bytes, offset, n);
            }
            file.flush();
        } catch (IOException e) {
            log.warnf("job %d: cannot write its log file: %s", jobId, e.getMessage());
        }
        if (!capped) {
            toRunnerLog(bytes, offset, n);
        }
    }

    private void toRunnerLog(byte[] bytes, int offset, int n) {
        String text = new String(bytes, offset, n, StandardCharsets.UTF_8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                flushLine();
            } else if (line.length() < LOG_LINE) {
                line.append(c);
            }
        }
    }

    private void flushLine() {
        log.infof("[%s job %d] %s", workItem, jobId, line);
        line.setLength(0);
    }

    /** Bytes the agent wrote in all, kept or not. */
    public synchronized long total() {
        return total;
    }

    /** The last {@code tailBytes} of output, as text. */
    public synchronized String tail() {
        byte[] copy = new byte[tailSize];
        for (int i = 0; i < tailSize; i++) {
            copy[i] = tail[(tailStart + i) % tail.length];
        }
        return new String(copy, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void close() {
        if (line.length() > 0) {
            flushLine();
        }
        try {
            file.close();
        } catch (IOException e) {
            log.warnf("job %d: cannot close its log file: %s", jobId, e.getMessage());
        }
    }
}
