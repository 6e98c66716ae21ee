package dev.baton.gateway.webhook;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configurable rule that names a Gitea event's work item: the first match of a regex in the
 * candidates, in order (branch name first, then title or commit message). A named group
 * {@code key} selects part of the match. Keys are upper-cased, as Plane writes them.
 */
public final class WorkItemRule {

    private final Pattern pattern;
    private final boolean hasKeyGroup;

    public WorkItemRule(String regex) {
        this.pattern = Pattern.compile(regex);
        this.hasKeyGroup = regex.contains("(?<key>");
    }

    public Optional<String> find(String... candidates) {
        for (String candidate : candidates) {
            if (candidate == null || candidate.isEmpty()) {
                continue;
            }
            Matcher matcher = pattern.matcher(candidate);
            if (matcher.find()) {
                String key = hasKeyGroup ? matcher.group("key") : matcher.group();
                if (key != null && !key.isEmpty()) {
                    return Optional.of(key.toUpperCase(Locale.ROOT));
                }
            }
        }
        return Optional.empty();
    }

    /** For the start-up check: does {@code regex} compile? */
    public static boolean isValid(String regex) {
        try {
            Pattern.compile(regex);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
