package dev.baton.stage.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Part 4: each packaged service ({@code target/quarkus-app/quarkus-run.jar}) started as
 * {@code ./baton up} starts it, against the benchmark's PostgreSQL and broker, on ports of its
 * own (never 8080-8083). Time to ready is from the process start to the first 200 of
 * {@code /q/health/ready}; RSS is {@code VmRSS} from {@code /proc/<pid>/status} after all four
 * have idled together. One service starts at a time, so a start does not compete with another.
 */
final class Footprint {

    /** Start order: stage-service first, the services that call it after. */
    static final List<String> SERVICES = List.of("stage-service", "webhook-gateway", "reaper-service",
            "notifier-service");
    /** Stands for {@code -XX:SharedArchiveFile=<the service's app-cds.jsa>} in a flag set. */
    static final String APPCDS = "{appcds}";
    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration IDLE = Duration.ofSeconds(5);

    /** One service under one set of JVM flags. */
    record Sample(String service, String flagSet, double readyMs, String quarkusStarted, long rssIdleKb,
                  String problem) {
    }

    private record Running(String service, Process process, int managementPort, long startedNanos, Path log) {
    }

    private final Path root;
    private final Path logs;
    private final Map<String, String> infraEnv;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    Footprint(Path root, Path logs, Map<String, String> infraEnv) {
        this.root = root;
        this.logs = logs;
        this.infraEnv = infraEnv;
    }

    static Path jar(Path root, String service) {
        return root.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
    }

    List<Sample> measure(String flagSet, List<String> flags) throws Exception {
        Files.createDirectories(logs);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Running> running = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        Map<String, Double> ready = new HashMap<>();
        Map<String, String> problems = new HashMap<>();
        try {
            String stageUrl = null;
            for (String service : SERVICES) {
                Path jar = jar(root, service);
                if (!Files.isRegularFile(jar)) {
                    problems.put(service, "not built: " + root.relativize(jar));
                    continue;
                }
                if (flags.contains(APPCDS) && !Files.isRegularFile(jar.resolveSibling("app-cds.jsa"))) {
                    problems.put(service, "no app-cds.jsa (package with -Dquarkus.package.jar.appcds.enabled=true)");
                    continue;
                }
                int port = freePort();
                List<String> command = new ArrayList<>();
                command.add(java);
                for (String flag : flags) {
                    if (!flag.equals(APPCDS)) {
                        command.add(flag);
                    } else {
                        command.add("-XX:SharedArchiveFile=" + jar.resolveSibling("app-cds.jsa"));
                    }
                }
                command.add("-jar");
                command.add(jar.toString());
                ProcessBuilder builder = new ProcessBuilder(command).directory(jar.getParent().toFile())
                        .redirectErrorStream(true);
                Path log = logs.resolve(service + "-" + flagSet + ".log");
                builder.redirectOutput(log.toFile());
                builder.environment().putAll(infraEnv);
                builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
                builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
                int management = freePort();
                builder.environment().put("QUARKUS_MANAGEMENT_PORT", String.valueOf(management));
                builder.environment().put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
                if (stageUrl != null) {
                    builder.environment().put("BATON_STAGE_SERVICE_URL", stageUrl);
                }
                long started = System.nanoTime();
                Running r = new Running(service, builder.start(), management, started, log);
                running.add(r);
                double ms = awaitReady(r);
                if (ms < 0) {
                    problems.put(service, "not ready within " + READY_TIMEOUT.toSeconds() + " s (see " + log + ")");
                } else {
                    ready.put(service, ms);
                }
                if (service.equals("stage-service")) {
                    stageUrl = "http://127.0.0.1:" + port;
                }
            }
            Thread.sleep(IDLE.toMillis());
            for (String service : SERVICES) {
                Running r = running.stream().filter(x -> x.service().equals(service)).findFirst().orElse(null);
                long rss = r == null || !r.process().isAlive() ? -1 : rssKb(r.process().pid());
                samples.add(new Sample(service, flagSet, ready.getOrDefault(service, Double.NaN),
                        r == null ? "" : quarkusStarted(r.log()), rss, problems.get(service)));
            }
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                stop(running.get(i).process());
            }
        }
        return samples;
    }

    private double awaitReady(Running r) throws InterruptedException {
        URI ready = URI.create("http://127.0.0.1:" + r.managementPort() + "/q/health/ready");
        long deadline = r.startedNanos() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && r.process().isAlive()) {
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return (System.nanoTime() - r.startedNanos()) / 1_000_000.0;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        return -1;
    }

    private static String quarkusStarted(Path log) {
        try {
            Matcher m = STARTED.matcher(Files.readString(log));
            return m.find() ? m.group(1) + " s" : "";
        } catch (IOException e) {
            return "";
        }
    }

    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
