package dev.baton.notifier.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pipeline as the card needs it: stages in order with their labels, and the card's rows — a
 * stage of its own, or a card group that several stages share (with the group's label). Built from
 * a {@link PipelineView}; tolerant of missing parts (a definition with no labels still renders,
 * with neutral labels).
 */
public final class Pipeline {

    /** The built-in definition in baton-common. */
    public static final String BUILT_IN_RESOURCE = "dev/baton/pipeline.json";

    private static final int MAX_NEUTRAL_LABEL = 48;

    private final Map<String, Map<String, String>> labels;
    private final Map<String, Map<String, String>> rowLabels;
    private final List<String> order;
    private final List<String> rows;
    private final Map<String, String> rowOf;
    private final Set<String> terminal;

    private Pipeline(Map<String, Map<String, String>> labels, Map<String, Map<String, String>> rowLabels,
                     List<String> order, List<String> rows, Map<String, String> rowOf, Set<String> terminal) {
        this.labels = labels;
        this.rowLabels = rowLabels;
        this.order = order;
        this.rows = rows;
        this.rowOf = rowOf;
        this.terminal = terminal;
    }

    /**
     * Reads the file stage-service runs: {@code file} ({@code BATON_PIPELINE_FILE}) when given,
     * else the built-in {@code dev/baton/pipeline.json}.
     */
    public static Pipeline read(ObjectMapper json, Optional<String> file) {
        Optional<String> named = file.filter(f -> !f.isBlank());
        String source = named.orElse(BUILT_IN_RESOURCE);
        try (InputStream in = named.isPresent() ? Files.newInputStream(Path.of(named.get()))
                : Pipeline.class.getClassLoader().getResourceAsStream(BUILT_IN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(BUILT_IN_RESOURCE + " is not on the classpath");
            }
            return from(json.readValue(in, PipelineView.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source, e);
        }
    }

    /** Reads the built-in {@code dev/baton/pipeline.json}. */
    public static Pipeline builtIn(ObjectMapper json) {
        return read(json, Optional.empty());
    }

    /**
     * Rows are what a work item passes through on its way to done: every non-terminal stage and
     * every stage an {@code advance} reaches (so {@code done} has a row and the cancel target has
     * none). Stages of one card group share the group's row, placed where its first stage is.
     */
    public static Pipeline from(PipelineView view) {
        Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        Set<String> advanceTargets = new LinkedHashSet<>();
        if (view != null && view.transitions() != null) {
            for (PipelineView.TransitionView t : view.transitions()) {
                if (t != null && t.to() != null && "advance".equals(t.kind())) {
                    advanceTargets.add(t.to());
                }
            }
        }
        Map<String, Map<String, String>> groups = view == null || view.cardGroups() == null ? Map.of()
                : view.cardGroups();
        List<String> rows = new ArrayList<>();
        Map<String, String> rowOf = new LinkedHashMap<>();
        Map<String, Map<String, String>> rowLabels = new LinkedHashMap<>();
        Set<String> terminal = new LinkedHashSet<>();
        if (view != null && view.stages() != null) {
            for (PipelineView.StageView stage : view.stages()) {
                if (stage == null || stage.key() == null || labels.containsKey(stage.key())) {
                    continue;
                }
                labels.put(stage.key(), stage.label() == null ? Map.of() : Map.copyOf(withoutNulls(stage.label())));
                order.add(stage.key());
                if (stage.terminal()) {
                    terminal.add(stage.key());
                }
                boolean onTheWay = !stage.terminal() || advanceTargets.contains(stage.key());
                if (!onTheWay) {
                    continue;
                }
                // A group's row is keyed "group:<key>" so that it can never be taken for a stage.
                String group = stage.cardGroup() == null ? null : GROUP_ROW + stage.cardGroup();
                String row = group == null ? stage.key() : group;
                rowOf.put(stage.key(), row);
                if (!rows.contains(row)) {
                    rows.add(row);
                }
                rowLabels.put(row, group == null ? labels.get(stage.key())
                        : withoutNulls(Optional.ofNullable(groups.get(stage.cardGroup())).orElse(Map.of())));
            }
        }
        return new Pipeline(Map.copyOf(labels), Map.copyOf(rowLabels), List.copyOf(order), List.copyOf(rows),
                Map.copyOf(rowOf), Set.copyOf(terminal));
    }

    private static final String GROUP_ROW = "group:";

    /** Stage keys in pipeline order. */
    public List<String> stages() {
        return order;
    }

    /** The card's rows in pipeline order: a stage key, or a card group's row. Label them with {@link #rowLabel}. */
    public List<String> rows() {
        return rows;
    }

    /** The label of a row of {@link #rows()}: the stage's label, or its card group's (same fallbacks as {@link #label}). */
    public String rowLabel(String row, CardLocale locale) {
        if (row != null && row.startsWith(GROUP_ROW)) {
            return pick(rowLabels.get(row), locale).orElse(neutralLabel(row.substring(GROUP_ROW.length()), locale));
        }
        return label(row, locale);
    }

    /** No transition leaves this stage. */
    public boolean isTerminal(String stage) {
        return stage != null && terminal.contains(stage);
    }

    /**
     * The row the card's current position is on: the stage's own, or its card group's; -1 when the
     * stage has no row (the cancel target, unknown, null).
     */
    public int rowPosition(String stage) {
        if (stage == null || !rowOf.containsKey(stage)) {
            return -1;
        }
        return rows.indexOf(rowOf.get(stage));
    }

    /**
     * The label of {@code stage} in {@code locale}: its own label, else its own English label,
     * else a neutral capitalised form of the key. Never another stage's label, never an exception.
     */
    public String label(String stage, CardLocale locale) {
        CardLocale lang = locale == null ? CardLocale.EN : locale;
        return (stage == null ? Optional.<String>empty() : pick(labels.get(stage), lang))
                .orElse(neutralLabel(stage, lang));
    }

    /** The label in {@code locale}, else the English one; empty when neither is there. */
    private static Optional<String> pick(Map<String, String> label, CardLocale locale) {
        CardLocale lang = locale == null ? CardLocale.EN : locale;
        if (label == null) {
            return Optional.empty();
        }
        String text = label.get(lang.code());
        if (text == null || text.isBlank()) {
            text = label.get(CardLocale.EN.code());
        }
        return text == null || text.isBlank() ? Optional.empty() : Optional.of(text);
    }

    /** {@code "code-review"} → {@code "Code review"}; null, blank or symbols only → "Unknown". */
    public static String neutralLabel(String key, CardLocale locale) {
        String words = key == null ? "" : key.replaceAll("[^\\p{L}\\p{N}]+", " ").trim();
        if (words.isEmpty()) {
            return locale == CardLocale.RU ? "Неизвестно" : "Unknown";
        }
        if (words.length() > MAX_NEUTRAL_LABEL) {
            words = words.substring(0, MAX_NEUTRAL_LABEL).trim() + "…";
        }
        return words.substring(0, 1).toUpperCase(Locale.ROOT) + words.substring(1).toLowerCase(Locale.ROOT);
    }

    private static Map<String, String> withoutNulls(Map<String, String> map) {
        Map<String, String> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (k != null && v != null) {
                copy.put(k, v);
            }
        });
        return copy;
    }
}
