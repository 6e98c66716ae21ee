package dev.baton.notifier.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The pipeline as the card needs it: stages in order with their labels, and which of them get a
 * row on the card. Built from a {@link PipelineView}; tolerant of missing parts (a definition with
 * no labels still renders, with neutral labels).
 */
public final class Pipeline {

    /** The built-in definition in baton-common. */
    public static final String BUILT_IN_RESOURCE = "dev/baton/pipeline.json";

    /**
     * Stages shown on the row of another stage. {@code deploy-staging} is one step of deploying:
     * it places the card on the Deploy row, while its own label still heads the card.
     */
    static final Map<String, String> ROW_ALIASES = Map.of("deploy-staging", "deploy");

    private static final int MAX_NEUTRAL_LABEL = 48;

    private final Map<String, Map<String, String>> labels;
    private final List<String> order;
    private final List<String> rows;
    private final Set<String> terminal;

    private Pipeline(Map<String, Map<String, String>> labels, List<String> order, List<String> rows, Set<String> terminal) {
        this.labels = labels;
        this.order = order;
        this.rows = rows;
        this.terminal = terminal;
    }

    /** Reads the built-in {@code dev/baton/pipeline.json}. */
    public static Pipeline builtIn(ObjectMapper json) {
        try (InputStream in = Pipeline.class.getClassLoader().getResourceAsStream(BUILT_IN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(BUILT_IN_RESOURCE + " is not on the classpath");
            }
            return from(json.readValue(in, PipelineView.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BUILT_IN_RESOURCE, e);
        }
    }

    /**
     * Rows are the stages a work item passes through on its way to done: every non-terminal stage
     * and every stage an {@code advance} reaches (so {@code done} has a row and {@code cancelled},
     * the cancel target, has none), minus the stages shown on another stage's row.
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
        List<String> rows = new ArrayList<>();
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
                if (onTheWay && !ROW_ALIASES.containsKey(stage.key())) {
                    rows.add(stage.key());
                }
            }
        }
        return new Pipeline(Map.copyOf(labels), List.copyOf(order), List.copyOf(rows), Set.copyOf(terminal));
    }

    /** Stage keys in pipeline order. */
    public List<String> stages() {
        return order;
    }

    /** Stage keys that get a row on the card, in pipeline order. */
    public List<String> rows() {
        return rows;
    }

    /** No transition leaves this stage. */
    public boolean isTerminal(String stage) {
        return stage != null && terminal.contains(stage);
    }

    /**
     * The row the card's current position is on: the stage itself, or the stage it is shown on
     * (deploy-staging → deploy); -1 when the stage has no row (cancelled, unknown, null).
     */
    public int rowPosition(String stage) {
        if (stage == null) {
            return -1;
        }
        return rows.indexOf(ROW_ALIASES.getOrDefault(stage, stage));
    }

    /**
     * The label of {@code stage} in {@code locale}: its own label, else its own English label,
     * else a neutral capitalised form of the key. Never another stage's label, never an exception.
     */
    public String label(String stage, CardLocale locale) {
        CardLocale lang = locale == null ? CardLocale.EN : locale;
        if (stage != null) {
            Map<String, String> own = labels.get(stage);
            if (own != null) {
                String label = own.get(lang.code());
                if (label == null || label.isBlank()) {
                    label = own.get(CardLocale.EN.code());
                }
                if (label != null && !label.isBlank()) {
                    return label;
                }
            }
        }
        return neutralLabel(stage, lang);
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
