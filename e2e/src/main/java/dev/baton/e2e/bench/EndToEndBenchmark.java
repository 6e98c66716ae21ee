package dev.baton.e2e.bench;

import dev.baton.e2e.BatonSystem;
import dev.baton.e2e.PipelineDriver;
import dev.baton.infra.LocalInfra;
import dev.baton.infra.ServiceProcess;
import dev.baton.infra.fake.WebhookPayloads;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 9, parts 3 and 4 under load: the end-to-end latency of one event through the whole system
 * and each packaged service's memory while it happens.
 *
 * <ol>
 *   <li>Start the system ({@link BatonSystem}: real PostgreSQL, Kafka, the four packaged services as
 *       processes, the fake Bot API).</li>
 *   <li>Set-up, not measured: {@code N = rate × seconds} tasks at {@code created}, each with its
 *       tracker card sent.</li>
 *   <li>Load: at {@code rate} events a second, a signed Plane webhook moves task {@code i} to
 *       Analysis. Latency of event {@code i} = from just before the webhook is sent until the fake
 *       Bot API accepts the edit of {@code i}'s card that shows Analysis: gateway → Kafka →
 *       stage-service (inbound apply, transition protocol, commit) → outbox relay → Kafka →
 *       notifier → Telegram edit.</li>
 *   <li>Drain: wait for the late ones; any card never edited is lost.</li>
 * </ol>
 * Bounded: set-up and drain have time limits and the run stops by itself. Loopback only.
 *
 * <p>Usage: {@code EndToEndBenchmark <repo-root> [rate] [seconds]}; writes its section of
 * {@code docs/benchmarks.md}.
 */
public final class EndToEndBenchmark {

    private static final Pattern CARD = Pattern.compile("<b>BENCH-(\\d+)</b>");
    private static final String AT_ANALYSIS = "Stage: <b>Analysis</b>";
    private static final String BEGIN = "<!-- end-to-end:begin -->";
    private static final String END = "<!-- end-to-end:end -->";

    public static void main(String[] args) throws Exception {
        LocalInfra.configureLogging();
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        int events = rate * seconds;

        // The real Bot API allows ~20 messages a minute in one group; this measures Baton, not that limit.
        // The load moves items into analysis: the agent-runner serves only deploy-staging, which no item
        // reaches, so no agent runs and the figures stay those of webhook to card, as before the runner.
        Map<String, String> overrides = Map.of("BATON_TELEGRAM_MESSAGES_PER_MINUTE", "1000000",
                "BATON_RUNNER_STAGES", "deploy-staging");
        try (BatonSystem system = BatonSystem.start(root, root.resolve("e2e/target/bench-logs"), overrides,
                Duration.ofSeconds(180))) {
            Map<String, String> result = new EndToEndBenchmark(system, rate, seconds, events).run();
            String section = section(rate, seconds, result, system);
            System.out.println(section);
            write(root.resolve("docs/benchmarks.md"), section);
        }
        System.exit(0);
    }

    private final BatonSystem system;
    private final int rate;
    private final int seconds;
    private final int events;
    private final AtomicLongArray sentAt;
    private final AtomicLongArray editedAt;
    /** Wall clock (epoch µs) of the same two moments, to split the latency at stage-service's commit. */
    private final AtomicLongArray sentWall;
    private final AtomicLongArray editedWall;
    private final AtomicInteger created = new AtomicInteger();
    private final Map<String, long[]> rss = new ConcurrentHashMap<>();

    private EndToEndBenchmark(BatonSystem system, int rate, int seconds, int events) {
        this.system = system;
        this.rate = rate;
        this.seconds = seconds;
        this.events = events;
        this.sentAt = new AtomicLongArray(events);
        this.editedAt = new AtomicLongArray(events);
        this.sentWall = new AtomicLongArray(events);
        this.editedWall = new AtomicLongArray(events);
    }

    private Map<String, String> run() throws Exception {
        system.outside().onTelegramText(text -> {
            Matcher card = CARD.matcher(text);
            if (!card.find()) {
                return;
            }
            int i = Integer.parseInt(card.group(1));
            if (i >= events) {
                return;
            }
            if (text.contains(AT_ANALYSIS)) {
                if (editedAt.compareAndSet(i, 0, System.nanoTime())) {
                    editedWall.set(i, epochMicros());
                }
            } else {
                created.incrementAndGet();
            }
        });
        PipelineDriver driver = system.driver();

        // Set-up: every task and its card, before the clock starts.
        long setupStarted = System.nanoTime();
        ExecutorService setup = Executors.newFixedThreadPool(8);
        for (int i = 0; i < events; i++) {
            int n = i;
            setup.submit(() -> driver.post("/tasks", """
                    {"id":"BENCH-%d","repo":"%s","title":"benchmark item %d","stage":"created"}"""
                    .formatted(n, WebhookPayloads.REPO, n)));
        }
        setup.shutdown();
        setup.awaitTermination(5, TimeUnit.MINUTES);
        awaitUntil(() -> created.get() >= events, Duration.ofMinutes(3));
        Duration setupTook = Duration.ofNanos(System.nanoTime() - setupStarted);
        Thread.sleep(3000);
        Map<String, Long> idle = sampleRss();

        // Load: one event every 1/rate s, sent from a pool so a slow answer never delays the next.
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(this::recordPeakRss, 0, 500, TimeUnit.MILLISECONDS);
        ScheduledExecutorService senders = Executors.newScheduledThreadPool(16);
        long[] answered = new long[events];
        AtomicInteger refused = new AtomicInteger();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        for (int i = 0; i < events; i++) {
            int n = i;
            long due = start + n * periodNanos;
            senders.schedule(() -> {
                long sent = System.nanoTime();
                sentAt.set(n, sent);
                sentWall.set(n, epochMicros());
                try {
                    driver.planeStateChanged("0d5e6f70-1a2b-4c3d-8e9f-" + String.format("%012d", n), "BENCH", n,
                            "Analysis");
                } catch (Exception e) {
                    refused.incrementAndGet();
                }
                answered[n] = System.nanoTime() - sent;
            }, due - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
        senders.shutdown();
        senders.awaitTermination(seconds + 60, TimeUnit.SECONDS);
        long lastSent = System.nanoTime();
        awaitUntil(() -> delivered() >= events, Duration.ofSeconds(60));
        Duration drain = Duration.ofNanos(System.nanoTime() - lastSent);
        sampler.shutdownNow();

        long[] latencies = new long[events];
        int delivered = 0;
        for (int i = 0; i < events; i++) {
            if (editedAt.get(i) != 0) {
                latencies[delivered++] = editedAt.get(i) - sentAt.get(i);
            }
        }
        long[] got = Arrays.copyOf(latencies, delivered);
        Arrays.sort(got);
        long[] answers = answered.clone();
        Arrays.sort(answers);

        // Where the time goes: stage-service's commit of the transition (its stage_history row, same
        // machine clock) splits each latency into webhook → commit and commit → card edit.
        long[] toCommit = new long[events];
        long[] fromCommit = new long[events];
        AtomicInteger split = new AtomicInteger();
        ExecutorService readers = Executors.newFixedThreadPool(8);
        for (int i = 0; i < events; i++) {
            int n = i;
            readers.submit(() -> {
                for (var entry : driver.get("/tasks/BENCH-" + n).body().path("history")) {
                    if ("analysis".equals(entry.path("to").asText()) && editedWall.get(n) != 0) {
                        java.time.Instant at = java.time.Instant.parse(entry.path("at").asText());
                        long commit = at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
                        int k = split.getAndIncrement();
                        toCommit[k] = (commit - sentWall.get(n)) * 1000;
                        fromCommit[k] = (editedWall.get(n) - commit) * 1000;
                    }
                }
                return null;
            });
        }
        readers.shutdown();
        readers.awaitTermination(2, TimeUnit.MINUTES);
        long[] before = Arrays.copyOf(toCommit, split.get());
        long[] after = Arrays.copyOf(fromCommit, split.get());
        Arrays.sort(before);
        Arrays.sort(after);
        long over = Arrays.stream(got).filter(l -> l > TimeUnit.MILLISECONDS.toNanos(250)).count();

        Map<String, String> result = new LinkedHashMap<>();
        result.put("events sent", String.valueOf(events));
        result.put("webhooks refused", String.valueOf(refused.get()));
        result.put("cards edited (delivered)", String.valueOf(delivered));
        result.put("lost", String.valueOf(events - delivered));
        result.put("latency p50", ms(percentile(got, 50)));
        result.put("latency p99", ms(percentile(got, 99)));
        result.put("latency p90 / p95", ms(percentile(got, 90)) + " / " + ms(percentile(got, 95)));
        result.put("latency max", ms(got.length == 0 ? 0 : got[got.length - 1]));
        result.put("events over 250 ms", over + " (" + String.format(Locale.ROOT, "%.1f%%", 100.0 * over
                / Math.max(1, got.length)) + ")");
        result.put("webhook → stage-service commit p50 / p99", ms(percentile(before, 50)) + " / "
                + ms(percentile(before, 99)));
        result.put("commit → card edit p50 / p99", ms(percentile(after, 50)) + " / " + ms(percentile(after, 99)));
        result.put("gateway answer p50", ms(percentile(answers, 50)));
        result.put("gateway answer p99", ms(percentile(answers, 99)));
        result.put("drain after the last event", ms(drain.toNanos()));
        result.put("set-up (tasks and cards, not measured)", ms(setupTook.toNanos()));
        for (String service : BatonSystem.SERVICES) {
            long[] peak = rss.getOrDefault(service, new long[] {0});
            result.put("RSS " + service + " idle / under load", mb(idle.get(service)) + " / " + mb(peak[0]));
        }
        return result;
    }

    private static long epochMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    private long delivered() {
        long count = 0;
        for (int i = 0; i < events; i++) {
            if (editedAt.get(i) != 0) {
                count++;
            }
        }
        return count;
    }

    private Map<String, Long> sampleRss() {
        Map<String, Long> now = new LinkedHashMap<>();
        for (String service : BatonSystem.SERVICES) {
            now.put(service, rssKb(system.service(service).pid()));
        }
        return now;
    }

    private void recordPeakRss() {
        sampleRss().forEach((service, kb) -> rss.compute(service, (s, peak) -> peak == null || peak[0] < kb
                ? new long[] {kb} : peak));
    }

    private static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (Exception gone) {
            // The process is gone or this is not Linux: no figure.
        }
        return 0;
    }

    private static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    private static String mb(Long kb) {
        return kb == null || kb == 0 ? "?" : (kb / 1024) + " MB";
    }

    interface Condition {
        boolean holds();
    }

    private static void awaitUntil(Condition condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.holds() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static String section(int rate, int seconds, Map<String, String> result, BatonSystem system) {
        StringBuilder text = new StringBuilder();
        text.append(BEGIN).append('\n');
        text.append("## End to end: signed webhook → … → card edit at the Bot API\n\n");
        text.append(String.format(Locale.ROOT, "Measured %s on %d cores, %d MB of memory; %d events/s for %d s. "
                        + "Command: `./baton bench` (this part alone: `java -cp 'e2e/target/baton-e2e-0.1.0-SNAPSHOT.jar:"
                        + "e2e/target/lib/*' dev.baton.e2e.bench.EndToEndBenchmark . %d %d`). Services: packaged jars, "
                        + "`" + String.join(" ", ServiceProcess.JAVA_OPTS) + "`; PostgreSQL, Kafka and the fake Bot API in the "
                        + "benchmark's JVM; the notifier's per-chat limit raised "
                        + "(`BATON_TELEGRAM_MESSAGES_PER_MINUTE=1000000`), since the real ~20/min per group would measure "
                        + "Telegram, not Baton. PostgreSQL %s (embedded), Kafka %s (in-process broker). "
                        + "Load average at the end: %s.\n\n",
                LocalDate.now(), Runtime.getRuntime().availableProcessors(), totalMemoryMb(), rate, seconds, rate,
                seconds, postgresVersion(system), org.apache.kafka.common.utils.AppInfoParser.getVersion(),
                loadAverage()));
        text.append("| figure | value |\n|---|---|\n");
        result.forEach((k, v) -> text.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        text.append("\nReady after start (all four started at once on the same cores): ");
        List<String> ready = system.readyAfter().entrySet().stream()
                .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.1f s", e.getValue().toMillis() / 1000.0))
                .toList();
        text.append(String.join(", ", ready)).append(".\n");
        text.append(END).append('\n');
        return text.toString();
    }

    private static String postgresVersion(BatonSystem system) {
        try {
            return system.postgresVersion();
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static long totalMemoryMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (Exception unknown) {
            // Not Linux.
        }
        return 0;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception unknown) {
            return "unknown";
        }
    }

    /** Replaces this benchmark's section of the results file, or appends it. */
    private static void write(Path file, String section) throws Exception {
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "# Benchmarks\n\n";
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin >= 0 && end > begin) {
            text = text.substring(0, begin) + section + text.substring(end + END.length() + 1);
        } else {
            text = text + (text.endsWith("\n\n") ? "" : "\n") + section;
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
