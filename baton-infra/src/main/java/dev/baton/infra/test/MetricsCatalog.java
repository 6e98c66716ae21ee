package dev.baton.infra.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics table of {@code docs/operations.md} (section "Metrics"), the one list of what each service
 * exports under its Prometheus name. Each service's test checks its rows against its real scrape, and the
 * deploy test checks that every metric a dashboard or alert rule names is in the table: so a dashboard
 * never shows a series nobody exports.
 */
public final class MetricsCatalog {

    /** A table row: {@code | `name` | type | labels | service[, service] | meaning |}. */
    private static final Pattern ROW = Pattern.compile("(?m)^\\|\\s*`([a-z_:]+)`\\s*\\|\\s*(\\w+)\\s*\\|[^|]*\\|\\s*([a-z, -]+?)\\s*\\|");

    private MetricsCatalog() {
    }

    /** Metric name → the services that export it, in table order. */
    public static Map<String, Set<String>> load(Path operationsMd) {
        String text;
        try {
            text = Files.readString(operationsMd);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int start = text.indexOf("\n### Metrics");
        if (start < 0) {
            throw new IllegalStateException(operationsMd + " has no '### Metrics' section");
        }
        int end = text.indexOf("\n#", start + 1);
        Matcher row = ROW.matcher(text.substring(start, end < 0 ? text.length() : end));
        Map<String, Set<String>> metrics = new LinkedHashMap<>();
        while (row.find()) {
            metrics.put(row.group(1), Set.of(row.group(3).split("\\s*,\\s*")));
        }
        return metrics;
    }

    /** The table of the repository this test runs in (found from the working directory upwards). */
    public static Map<String, Set<String>> ofRepository() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path doc = dir.resolve("docs/operations.md");
            if (Files.isRegularFile(doc)) {
                return load(doc);
            }
        }
        throw new IllegalStateException("no docs/operations.md above " + Path.of("").toAbsolutePath());
    }

    /** The metrics the table lists for {@code service} that the scrape has no sample of. */
    public static List<String> missingFrom(String scrape, String service) {
        Map<String, Set<String>> catalog = ofRepository();
        if (catalog.values().stream().noneMatch(owners -> owners.contains(service))) {
            throw new IllegalStateException("docs/operations.md lists no metric of " + service);
        }
        List<String> missing = new ArrayList<>();
        catalog.forEach((name, owners) -> {
            if (owners.contains(service) && !exported(scrape, name)) {
                missing.add(name);
            }
        });
        return missing;
    }

    /** A sample of the series, or of a timer's or histogram's parts. */
    static boolean exported(String scrape, String name) {
        return Pattern.compile("(?m)^" + Pattern.quote(name) + "(_count|_sum|_bucket|_max)?[{ ]").matcher(scrape).find();
    }
}
