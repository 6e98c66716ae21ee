package dev.baton.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server (zonky's packaged binaries, run as a child process) on loopback.
 * Works as root: zonky drops privileges itself.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";
    public static final String DATABASE = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    /**
     * @param port 0 for any free port
     * @param dataDirectory null for a throw-away directory
     */
    public static EmbeddedPostgresServer start(int port, Path dataDirectory) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                // Enough for four services with pools plus tests that race many actors.
                .setServerConfig("max_connections", "300")
                .setServerConfig("listen_addresses", "127.0.0.1");
        if (port > 0) {
            builder.setPort(port);
        }
        if (dataDirectory != null) {
            builder.setDataDirectory(dataDirectory).setCleanDataDirectory(true);
        }
        return new EmbeddedPostgresServer(builder.start(), dataDirectory);
    }

    public int port() {
        return postgres.getPort();
    }

    /** {@code postgresql://127.0.0.1:<port>/postgres}: prefix with {@code jdbc:} for JDBC. */
    public String url() {
        return "postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    /**
     * A crash of the server, for fault tests: an immediate shutdown (SIGQUIT to the postmaster: no
     * checkpoint, every session cut), {@code whileDown} runs, then the same server binary starts
     * again with the same arguments on the same port and data directory, and recovers from its WAL.
     * Needs a server started with a data directory of its own.
     */
    public void crashAndRestart(Runnable whileDown, Duration ready) throws IOException, InterruptedException {
        if (dataDirectory == null) {
            throw new IllegalStateException("crashAndRestart needs a server started with a data directory");
        }
        long postmaster = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle handle = ProcessHandle.of(postmaster).orElseThrow();
        List<String> command = commandLine(postmaster);
        Process quit = new ProcessBuilder("kill", "-QUIT", Long.toString(postmaster)).inheritIO().start();
        if (!quit.waitFor(10, TimeUnit.SECONDS) || quit.exitValue() != 0) {
            throw new IllegalStateException("cannot send SIGQUIT to the postmaster " + postmaster);
        }
        handle.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        whileDown.run();
        new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDirectory.resolveSibling("restarted.log").toFile()))
                .start();
        long deadline = System.nanoTime() + ready.toNanos();
        while (true) {
            try (var connection = DriverManager.getConnection("jdbc:" + url(), USER, PASSWORD)) {
                return;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL did not come back within " + ready, e);
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
    }

    /**
     * The postmaster's own argument list (/proc), so it can be started again exactly as it was. As
     * root, zonky runs PostgreSQL in a user namespace of its own ({@code unshare -U}: an unmapped,
     * unprivileged user there), because the server refuses to run as root: so does the restart.
     */
    private static List<String> commandLine(long pid) throws IOException {
        String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U"));
        }
        Arrays.stream(raw.split("\0")).filter(a -> !a.isEmpty()).forEach(command::add);
        return command;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
