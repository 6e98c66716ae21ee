package dev.baton.stage.bench;

import dev.baton.infra.Ports;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
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
 * {@code /q/health/ready}; RSS is {@code VmRSS} from {@code /proc/<pid>/status} after all of them
 * have idled together. One service starts at a time, so a start does not compete with another.
 * A flag set names its JVM (the benchmark's own, or another JDK such as a JDK 25 for its AOT cache).
 */
final class Footprint {

    /** Start order: stage-service first, the services that call it after. */
    static final List<String> SERVICES = List.of("stage-service", "webhook-gateway", "reaper-service",
            "notifier-service", "agent-runner");
    /** Stands for {@code -XX:SharedArchiveFile=<the service's app-cds.jsa>} in a flag set. */
    static final String APPCDS = "{appcds}";
    /**
     * Stands for {@code -XX:AOTCacheOutput=<bench>/aot/<service>.aot} (JDK 25+, JEP 514): the run records
     * the service's AOT cache, which the JVM writes as it stops.
     */
    static final String AOT_RECORD = "{aot-record}";
    /** Stands for {@code -XX:AOTCache=<bench>/aot/<service>.aot}: the run starts from the recorded cache. */
    static final String AOT = "{aot}";
    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration IDLE = Duration.ofSeconds(5);

    /** One service under one set of JVM flags. */
    record Sample(String service, String flagSet, double readyMs, long cpuToReadyMs, String quarkusStarted,
                  long rssIdleKb, String problem) {
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

    /** One set of JVM flags for the {@code java} binary named. */
    record FlagSet(String name, String java, List<String> flags) {
    }

    List<Sample> measure(FlagSet set) throws Exception {
        String flagSet = set.name();
        List<String> flags = set.flags();
        Files.createDirectories(logs.resolve("aot"));
        List<Running> running = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        Map<String, Double> ready = new HashMap<>();
        Map<String, Long> cpu = new HashMap<>();
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
                Path aot = logs.resolve("aot").resolve(service + ".aot");
                if (flags.contains(AOT) && !Files.isRegularFile(aot)) {
                    problems.put(service, "no AOT cache: the recording run wrote none");
                    continue;
                }
                int port = Ports.free();
                List<String> command = new ArrayList<>();
                command.add(set.java());
                for (String flag : flags) {
                    command.add(switch (flag) {
                        case APPCDS -> "-XX:SharedArchiveFile=" + jar.resolveSibling("app-cds.jsa");
                        case AOT_RECORD -> "-XX:AOTCacheOutput=" + aot;
                        case AOT -> "-XX:AOTCache=" + aot;
                        default -> flag;
                    });
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
                int management = Ports.free();
                builder.environment().put("QUARKUS_MANAGEMENT_PORT", String.valueOf(management));
                builder.environment().put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
                if (stageUrl != null) {
                    builder.environment().put("BATON_STAGE_SERVICE_URL", stageUrl);
                }
                if (service.equals("agent-runner")) {
                    builder.environment().put("BATON_AGENTS_FILE", root.resolve("agents/agents.json").toString());
                    builder.environment().put("BATON_RUNNER_WORKDIR", logs.resolve("runner").toString());
                }
                long started = System.nanoTime();
                Running r = new Running(service, builder.start(), management, started, log);
                running.add(r);
                double ms = awaitReady(r);
                if (ms < 0) {
                    problems.put(service, "not ready within " + READY_TIMEOUT.toSeconds() + " s (see " + log + ")");
                } else {
                    ready.put(service, ms);
                    cpu.put(service, cpuMs(r.process().pid()));
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
                        cpu.getOrDefault(service, -1L),
                        r == null ? "" : quarkusStarted(r.log()), rss, problems.get(service)));
            }
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                stop(running.get(i).process());
            }
        }
        return samples;
    }

    /**
     * Per service, the median ready time and the median RSS of several runs of one flag set (each
     * median on its own); a service with a problem in any run reports that problem.
     */
    static List<Sample> medians(List<List<Sample>> runs) {
        List<Sample> medians = new ArrayList<>();
        for (int i = 0; i < runs.get(0).size(); i++) {
            List<Sample> one = new ArrayList<>();
            for (List<Sample> run : runs) {
                one.add(run.get(i));
            }
            Sample first = one.get(0);
            String problem = one.stream().map(Sample::problem).filter(p -> p != null).findFirst().orElse(null);
            if (problem != null) {
                medians.add(new Sample(first.service(), first.flagSet(), Double.NaN, -1, "", -1, problem));
                continue;
            }
            List<Sample> byReady = one.stream().sorted(Comparator.comparingDouble(Sample::readyMs)).toList();
            List<Long> rss = one.stream().map(Sample::rssIdleKb).sorted().toList();
            List<Long> cpu = one.stream().map(Sample::cpuToReadyMs).sorted().toList();
            Sample median = byReady.get(byReady.size() / 2);
            medians.add(new Sample(first.service(), first.flagSet(), median.readyMs(), cpu.get(cpu.size() / 2),
                    median.quarkusStarted(), rss.get(rss.size() / 2), null));
        }
        return medians;
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

    /**
     * CPU time (user + system) the process has used so far, in ms: what a start costs whatever the
     * machine's load, where the wall-clock time to ready also counts the waits for a core.
     */
    static long cpuMs(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // Fields after the command name (which may hold spaces) start after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 10; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
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

    /** Up to a minute: a JVM recording its AOT cache writes it as it stops. */
    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
