package dev.baton.e2e.chaos;

import dev.baton.e2e.BatonSystem;
import dev.baton.infra.fake.FakeOutside;
import dev.baton.infra.fake.WebhookPayloads;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a chaos run ended with, checked: every work item at its last stage; one merge per pull request
 * and one dispatch per (work item, workflow); every history row's {@code from} the previous row's
 * {@code to}; the outbox drained; every {@code StageAdvanced} processed by the notifier; one card per
 * item showing its last stage; no chat over Telegram's 20 calls in any minute; every fault injected
 * and every instance ready again after it. A failed check is a line of {@link #violations()}.
 */
public record ChaosReport(ChaosRun.Settings settings, int items, int completed, Duration startup,
        List<Faults.Outcome> faults, long duplicates, long lost, long peakBacklog, Duration settled,
        int maxCallsPerMinute, int planeCommentConflicts, int webhooksRefused, String postgres, List<String> violations) {

    static final String NOTIFIER_BACKLOG = "SELECT (SELECT count(*) FROM notifier.card WHERE pending_since IS NOT NULL)"
            + " + (SELECT count(*) FROM notifier.alert_outbox WHERE sent_at IS NULL AND dropped_at IS NULL)";
    static final String UNSENT_OUTBOX = "SELECT count(*) FROM stage.outbox WHERE sent_at IS NULL";
    /** History rows whose {@code from} is not the {@code to} of the row before them (same work item). */
    static final String BROKEN_CHAINS = "SELECT count(*) FROM (SELECT from_stage, lag(to_stage) OVER"
            + " (PARTITION BY task_id ORDER BY id) AS previous FROM stage.stage_history WHERE task_id LIKE '"
            + ChaosLoad.PROJECT + "-%') h WHERE previous IS NOT NULL AND from_stage IS DISTINCT FROM previous";
    static final String UNPROCESSED_ADVANCES = "SELECT count(*) FROM stage.outbox o WHERE o.event_type = 'StageAdvanced'"
            + " AND NOT EXISTS (SELECT 1 FROM notifier.processed_event p WHERE p.event_id = o.event_id::text)";
    static final String LAST_STAGE_ON_CARD = "Stage: <b>📦 Deployed</b>";
    static final int CALLS_PER_MINUTE = 20;
    private static final String BEGIN = "<!-- chaos:begin -->";
    private static final String END = "<!-- chaos:end -->";

    /** The cards of {@code item} among the chat's messages (alerts are other messages). */
    static List<String> cards(List<String> messages, String item) {
        return messages.stream().filter(text -> text.startsWith("<b>" + item + "</b>") && text.contains("📍 ")).toList();
    }

    static ChaosReport check(ChaosRun.Settings settings, BatonSystem system, Database database, ChaosLoad load,
            List<Faults.Outcome> faults, Duration startup, long peakBacklog, Duration settled)
            throws SQLException {
        FakeOutside outside = system.outside();
        List<String> violations = new ArrayList<>();
        Map<String, String> unfinished = load.unfinished();
        if (!unfinished.isEmpty()) {
            violations.add("not at their last stage: " + unfinished);
        }
        List<String> keys = load.items().stream().map(ChaosLoad.Item::key).toList();
        List<String> messages = outside.messages(FakeOutside.TELEGRAM_CHAT);
        long extraCards = 0;
        for (String item : keys) {
            List<String> cards = cards(messages, item);
            extraCards += Math.max(0, cards.size() - 1);
            if (cards.size() != 1 || !cards.get(0).contains(LAST_STAGE_ON_CARD)) {
                violations.add(item + ": " + cards.size() + " card(s), expected one at the last stage: " + cards);
            }
        }
        java.util.Set<String> mergedPulls = outside.mergedPulls();
        long merged = outside.pullRequests(WebhookPayloads.REPO).stream()
                .filter(pull -> mergedPulls.contains(WebhookPayloads.REPO + "#" + pull.get("number"))).count();
        if (merged != keys.size()) {
            violations.add(merged + " pull requests merged for " + keys.size() + " work items");
        }
        expectZero(violations, "merge requests for an already merged pull request", outside.repeatedMerges());
        expectZero(violations, "workflow dispatches repeating an idempotency key", outside.repeatedDispatches());
        for (String workflow : List.of("image.yml", "deploy.yml")) {
            if (outside.dispatches(workflow) != keys.size()) {
                violations.add(outside.dispatches(workflow) + " dispatches of " + workflow + " for " + keys.size() + " items");
            }
        }
        expectZero(violations, "history rows whose from is not the previous row's to", database.count(BROKEN_CHAINS));
        long unsent = database.count(UNSENT_OUTBOX);
        long unprocessed = database.count(UNPROCESSED_ADVANCES);
        expectZero(violations, "outbox rows never sent", unsent);
        expectZero(violations, "StageAdvanced events the notifier never processed", unprocessed);
        expectZero(violations, "cards or alerts still waiting in the notifier", database.count(NOTIFIER_BACKLOG));
        List<FakeOutside.TelegramCall> busiest = busiestMinute(outside.telegramCalls(FakeOutside.TELEGRAM_CHAT));
        int maxPerMinute = busiest.size();
        if (maxPerMinute > CALLS_PER_MINUTE) {
            violations.add(maxPerMinute + " Bot API calls in one minute in one chat, above " + CALLS_PER_MINUTE
                    + ": " + busiest);
        }
        for (Faults.Outcome fault : faults) {
            if (!fault.injected()) {
                violations.add("fault not injected: " + fault.kind() + " (" + fault.note() + ")");
            }
            fault.problems().forEach(problem -> violations.add(fault.kind() + ": " + problem));
        }
        long duplicates = outside.repeatedMerges() + outside.repeatedDispatches() + extraCards;
        long lost = keys.size() - load.done().size() + unsent + unprocessed;
        return new ChaosReport(settings, keys.size(), load.done().size(), startup, faults, duplicates, lost, peakBacklog,
                settled, maxPerMinute, outside.planeCommentConflicts(), load.webhooksRefused(), system.postgresVersion(),
                violations);
    }

    private static void expectZero(List<String> violations, String what, long count) {
        if (count != 0) {
            violations.add(count + " " + what);
        }
    }

    /** The calls of the fullest 60 s window (a window starting at a call), oldest first. */
    static List<FakeOutside.TelegramCall> busiestMinute(List<FakeOutside.TelegramCall> calls) {
        int bestFrom = 0;
        int bestTo = 0;
        int from = 0;
        for (int to = 0; to < calls.size(); to++) {
            while (calls.get(from).at().plusSeconds(60).compareTo(calls.get(to).at()) <= 0) {
                from++;
            }
            if (to + 1 - from > bestTo - bestFrom) {
                bestFrom = from;
                bestTo = to + 1;
            }
        }
        return calls.subList(bestFrom, bestTo);
    }

    /** The report as the section of docs/reliability.md. */
    public String markdown() {
        Map<Faults.Kind, List<Faults.Outcome>> byKind = new EnumMap<>(Faults.Kind.class);
        faults.forEach(f -> byKind.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(f));
        StringBuilder md = new StringBuilder(BEGIN + "\n");
        md.append("Last `./baton chaos ").append(settings.load().toMinutes()).append("` run: ").append(LocalDate.now())
                .append(", seed ").append(settings.seed()).append(", ").append(machine()).append(", Java ")
                .append(System.getProperty("java.version")).append(", PostgreSQL ").append(postgres)
                .append(", Kafka ").append(org.apache.kafka.common.utils.AppInfoParser.getVersion()).append(".\n\n");
        md.append("| figure | value |\n|---|---|\n");
        row(md, "work items created (one every " + settings.every().toSeconds() + " s for " + settings.load().toSeconds()
                + " s, and on while faults were still being injected)", items);
        row(md, "work items at their last stage", completed);
        row(md, "system start (8 packaged instances, PostgreSQL, Kafka)", seconds(startup));
        row(md, "duplicates (repeated merges and dispatches, extra cards)", duplicates);
        row(md, "lost (items short of their last stage, events never sent or never processed)", lost);
        row(md, "notifier's peak backlog (cards + alerts waiting)", peakBacklog);
        row(md, "settled after the load (all done, outbox and notifier drained)", seconds(settled));
        row(md, "most Bot API calls in one chat in any 60 s (limit 20)", maxCallsPerMinute);
        row(md, "webhooks refused and sent again (no broker)", webhooksRefused);
        row(md, "Plane comments refused as repeats (409, same external_id)", planeCommentConflicts);
        md.append("\n| fault | injected | longest time to every instance ready after it |\n|---|---|---|\n");
        byKind.forEach((kind, list) -> md.append("| ").append(kind.name().toLowerCase().replace('_', ' ')).append(" | ")
                .append(list.stream().filter(Faults.Outcome::injected).count()).append(" of ").append(list.size())
                .append(" | ").append(list.stream().map(Faults.Outcome::readyAfter).max(Duration::compareTo)
                        .map(ChaosReport::seconds).orElse("-")).append(" |\n"));
        md.append('\n');
        faults.stream().filter(f -> f.kind() == Faults.Kind.KAFKA_RESTART)
                .forEach(f -> md.append("Kafka restart: ").append(f.note()).append(".\n"));
        md.append("\nChecks failed: ").append(violations.isEmpty() ? "none." : String.join("; ", violations)).append('\n');
        return md.append(END).toString();
    }

    /** Replaces the section between the markers in {@code doc} (appends it if there is none). */
    void write(Path doc) throws IOException {
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        String updated = begin >= 0 && end > begin ? text.substring(0, begin) + markdown() + text.substring(end + END.length())
                : text + "\n" + markdown() + "\n";
        Files.writeString(doc, updated, StandardCharsets.UTF_8);
    }

    private static void row(StringBuilder md, String figure, Object value) {
        md.append("| ").append(figure).append(" | ").append(value).append(" |\n");
    }

    private static String seconds(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    private static String machine() {
        long memory = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize() >> 30;
        return Runtime.getRuntime().availableProcessors() + " cores, " + memory + " GiB, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }

    /** For a test's message: the faults as they happened. */
    public Map<String, String> faultLog() {
        Map<String, String> log = new TreeMap<>();
        faults.forEach(f -> log.put(f.at() + " " + f.kind(), (f.injected() ? "" : "NOT INJECTED ") + f.note()
                + " ready after " + seconds(f.readyAfter())));
        return log;
    }
}
