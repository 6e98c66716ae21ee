package dev.baton.runner.process;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputSinkTest {

    @TempDir
    Path dir;

    @Test
    void aFloodKeepsTheFileUnderItsCeilingAndTheTailIsTheEnd() throws Exception {
        Path log = dir.resolve("job.log");
        byte[] chunk = "0123456789abcdef\n".repeat(500).getBytes(StandardCharsets.UTF_8);
        try (OutputSink sink = new OutputSink(log, 100_000, 1024, Logger.getLogger(getClass()), "ORCH-1", 1)) {
            for (int i = 0; i < 2_000; i++) {
                sink.write(chunk, 0, chunk.length);
            }
            byte[] end = "THE END\n".getBytes(StandardCharsets.UTF_8);
            sink.write(end, 0, end.length);
            assertEquals(2_000L * chunk.length + end.length, sink.total());
            String tail = sink.tail();
            assertEquals(1024, tail.getBytes(StandardCharsets.UTF_8).length);
            assertTrue(tail.endsWith("THE END\n"), tail);
        }
        long size = Files.size(log);
        assertTrue(size >= 100_000 && size < 100_200, "file size " + size);
        assertTrue(Files.readString(log).contains("not kept in this file"));
    }
}
