package dev.baton.stage.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The pipeline: its stages in order and {@code STAGE_TRANSITIONS}, the allowed changes, where
 * cancel leads, which inbound facts move a task, which stage records an approval, the card's
 * rows and each stage's Plane state. The one source of pipeline knowledge for every service
 * (the others read it at {@code GET /pipeline}). Built only through {@link #of}, which rejects an
 * invalid definition naming every problem.
 */
public final class PipelineDefinition {

    /** The locales every label and card-group label must have. */
    public static final List<String> LOCALES = List.of("en", "ru");

    private final List<Stage> stages;
    private final Map<String, Stage> byKey;
    private final Map<String, Transition> transitions;
    private final String cancelTo;
    private final Map<String, Map<String, String>> cardGroups;

    private PipelineDefinition(List<Stage> stages, List<Transition> transitions, String cancelTo,
                               Map<String, Map<String, String>> cardGroups) {
        this.stages = List.copyOf(stages);
        this.byKey = new LinkedHashMap<>();
        stages.forEach(stage -> byKey.put(stage.key(), stage));
        this.transitions = new LinkedHashMap<>();
        transitions.forEach(t -> this.transitions.put(t.from() + "->" + t.to(), t));
        this.cancelTo = cancelTo;
        this.cardGroups = Map.copyOf(cardGroups);
    }

    /** A definition without card groups. */
    public static PipelineDefinition of(List<Stage> stages, List<Transition> declared, String cancelTo) {
        return of(stages, declared, cancelTo, Map.of());
    }

    /**
     * Validates and builds a definition. Cancel transitions are added from every
     * non-terminal stage to {@code cancelTo} (when given).
     *
     * @param cardGroups card group key → its label per locale
     * @throws InvalidPipelineException naming every problem found
     */
    public static PipelineDefinition of(List<Stage> stages, List<Transition> declared, String cancelTo,
                                        Map<String, Map<String, String>> cardGroups) {
        List<String> problems = new ArrayList<>();
        if (stages == null || stages.isEmpty()) {
            throw new InvalidPipelineException(List.of("no stages defined"));
        }
        Map<String, Map<String, String>> groups = cardGroups == null ? Map.of() : cardGroups;
        Map<String, Stage> keys = new HashMap<>();
        for (Stage stage : stages) {
            if (stage.key() == null || stage.key().isBlank()) {
                problems.add("a stage has no key");
            } else if (keys.put(stage.key(), stage) != null) {
                problems.add("stage '" + stage.key() + "' is defined twice");
            }
        }
        List<Transition> all = new ArrayList<>(declared == null ? List.of() : declared);
        Set<String> seen = new HashSet<>();
        for (Transition t : all) {
            if (t.to() == null || t.to().isBlank()) {
                problems.add("transition from '" + t.from() + "' goes nowhere (no 'to')");
                continue;
            }
            if (!keys.containsKey(t.from())) {
                problems.add("transition " + t.from() + " -> " + t.to() + " starts at unknown stage '" + t.from() + "'");
            }
            if (!keys.containsKey(t.to())) {
                problems.add("transition " + t.from() + " -> " + t.to() + " goes to unknown stage '" + t.to() + "'");
            }
            if (keys.containsKey(t.from()) && keys.get(t.from()).terminal()) {
                problems.add("transition " + t.from() + " -> " + t.to() + " leaves terminal stage '" + t.from() + "'");
            }
            if (!seen.add(t.from() + "->" + t.to())) {
                problems.add("transition " + t.from() + " -> " + t.to() + " is defined twice");
            }
        }
        if (cancelTo != null) {
            if (!keys.containsKey(cancelTo)) {
                problems.add("cancelTo names unknown stage '" + cancelTo + "'");
            } else {
                for (Stage stage : stages) {
                    if (!stage.terminal() && !stage.key().equals(cancelTo) && seen.add(stage.key() + "->" + cancelTo)) {
                        all.add(new Transition(stage.key(), cancelTo, TransitionKind.CANCEL, List.of()));
                    }
                }
            }
        }
        Set<String> allowed = new HashSet<>();
        all.forEach(t -> allowed.add(t.from() + "->" + t.to()));
        for (Stage stage : stages) {
            if (stage.key() != null) {
                problems.addAll(stageRules(stage, keys, allowed, all, groups));
            }
        }
        problems.addAll(groupRules(stages, groups));
        problems.addAll(planeRules(stages));
        if (problems.isEmpty()) {
            problems.addAll(reachability(stages, all));
        }
        if (!problems.isEmpty()) {
            throw new InvalidPipelineException(problems);
        }
        return new PipelineDefinition(stages, all, cancelTo, groups);
    }

    private static List<String> stageRules(Stage stage, Map<String, Stage> keys, Set<String> allowed,
                                           List<Transition> all, Map<String, Map<String, String>> groups) {
        List<String> problems = new ArrayList<>();
        String at = "stage '" + stage.key() + "'";
        for (String locale : LOCALES) {
            if (stage.label().get(locale) == null || stage.label().get(locale).isBlank()) {
                problems.add(at + " has no '" + locale + "' label");
            }
        }
        stage.on().forEach((fact, target) -> {
            if (!InboundFact.keys().contains(fact)) {
                problems.add(at + ": 'on' names unknown fact '" + fact + "' (known: " + InboundFact.keys() + ")");
            } else if (!keys.containsKey(target)) {
                problems.add(at + ": on " + fact + " goes to unknown stage '" + target + "'");
            } else if (!allowed.contains(stage.key() + "->" + target)) {
                problems.add(at + ": on " + fact + " goes to '" + target + "', but no transition "
                        + stage.key() + " -> " + target + " is defined");
            }
        });
        if (stage.recordsApproval() && all.stream()
                .noneMatch(t -> t.from().equals(stage.key()) && t.kind() == TransitionKind.ADVANCE)) {
            problems.add(at + " records an approval, but no advance leaves it");
        }
        if (stage.cardGroup() != null && !groups.containsKey(stage.cardGroup())) {
            problems.add(at + " is shown in unknown card group '" + stage.cardGroup() + "' (known: "
                    + new TreeMap<>(groups).keySet() + ")");
        }
        if (stage.plane() != null && stage.plane().name() != null && stage.plane().name().isBlank()) {
            problems.add(at + " has a blank Plane state name");
        }
        if (stage.plane() != null && stage.plane().id() != null && stage.plane().id().isBlank()) {
            problems.add(at + " has a blank Plane state id");
        }
        return problems;
    }

    private static List<String> groupRules(List<Stage> stages, Map<String, Map<String, String>> groups) {
        List<String> problems = new ArrayList<>();
        groups.forEach((group, label) -> {
            for (String locale : LOCALES) {
                if (label == null || label.get(locale) == null || label.get(locale).isBlank()) {
                    problems.add("card group '" + group + "' has no '" + locale + "' label");
                }
            }
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i < stages.size(); i++) {
                if (group.equals(stages.get(i).cardGroup())) {
                    at.add(i);
                }
            }
            if (at.isEmpty()) {
                problems.add("card group '" + group + "' shows no stage");
            } else if (at.get(at.size() - 1) - at.get(0) != at.size() - 1) {
                problems.add("card group '" + group + "' shows stages that are not next to each other");
            }
            if (stages.stream().anyMatch(s -> group.equals(s.key()))) {
                problems.add("card group '" + group + "' has the key of a stage");
            }
        });
        return problems;
    }

    /** One Plane state name stands for one Plane state: stages that share a name share its id. */
    private static List<String> planeRules(List<Stage> stages) {
        List<String> problems = new ArrayList<>();
        Map<String, Stage> byName = new LinkedHashMap<>();
        for (Stage stage : stages) {
            if (stage.plane() == null || stage.plane().name() == null || stage.plane().name().isBlank()) {
                continue;
            }
            Stage first = byName.putIfAbsent(planeKey(stage.plane().name()), stage);
            if (first != null && (first.planeId() == null || !first.planeId().equals(stage.planeId()))) {
                problems.add("Plane state '" + stage.plane().name() + "' is given to stages '" + first.key()
                        + "' and '" + stage.key() + "' with different ids (" + first.planeId() + ", "
                        + stage.planeId() + ")");
            }
        }
        return problems;
    }

    /** Plane state names compare without case, spaces or dashes mattering. */
    public static String planeKey(String name) {
        return name.trim().toLowerCase(Locale.ROOT).replace(' ', '-');
    }

    private static List<String> reachability(List<Stage> stages, List<Transition> transitions) {
        List<String> problems = new ArrayList<>();
        Set<String> reached = new HashSet<>();
        List<String> frontier = new ArrayList<>(List.of(stages.get(0).key()));
        while (!frontier.isEmpty()) {
            String stage = frontier.remove(frontier.size() - 1);
            if (reached.add(stage)) {
                transitions.stream().filter(t -> t.from().equals(stage)).forEach(t -> frontier.add(t.to()));
            }
        }
        for (Stage stage : stages) {
            if (!reached.contains(stage.key())) {
                problems.add("stage '" + stage.key() + "' is unreachable from '" + stages.get(0).key() + "'");
            }
            boolean leaves = transitions.stream().anyMatch(t -> t.from().equals(stage.key()));
            if (!stage.terminal() && !leaves) {
                problems.add("stage '" + stage.key() + "' is not terminal but no transition leaves it");
            }
        }
        return problems;
    }

    public List<Stage> stages() {
        return stages;
    }

    public Stage initial() {
        return stages.get(0);
    }

    public boolean hasStage(String key) {
        return byKey.containsKey(key);
    }

    public Optional<Transition> transition(String from, String to) {
        return Optional.ofNullable(transitions.get(from + "->" + to));
    }

    public List<Transition> transitions() {
        return List.copyOf(transitions.values());
    }

    public Optional<Stage> stage(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    /** The advance out of {@code stage}, if the pipeline has one. */
    public Optional<Transition> forward(String stage) {
        return transitions.values().stream()
                .filter(t -> t.from().equals(stage) && t.kind() == TransitionKind.ADVANCE).findFirst();
    }

    /** Where a failed verdict in {@code stage} sends the task, if anywhere. */
    public Optional<Transition> rollback(String stage) {
        return transitions.values().stream()
                .filter(t -> t.from().equals(stage) && t.kind() == TransitionKind.ROLLBACK).findFirst();
    }

    /** The stage cancel leads to, if the pipeline has one. */
    public Optional<String> cancelTo() {
        return Optional.ofNullable(cancelTo);
    }

    /** Where {@code fact} moves a task in {@code stage}, if that stage's {@code on} names it. */
    public Optional<String> on(String stage, InboundFact fact) {
        return stage(stage).map(s -> s.on().get(fact.key()));
    }

    /** Card group key → its label per locale. */
    public Map<String, Map<String, String>> cardGroups() {
        return cardGroups;
    }

    /** Stage → the Plane state id the sync sets, for the mirrored stages only, in pipeline order. */
    public Map<String, String> planeStateIds() {
        Map<String, String> ids = new LinkedHashMap<>();
        stages.stream().filter(s -> s.planeId() != null).forEach(s -> ids.put(s.key(), s.planeId()));
        return java.util.Collections.unmodifiableMap(ids);
    }

    /**
     * The stages a Plane state of this name shows, in pipeline order: those whose Plane state name
     * (its configured name, else its English label) matches, else those whose key matches.
     */
    public List<String> stagesNamedInPlane(String stateName) {
        if (stateName == null || stateName.isBlank()) {
            return List.of();
        }
        String name = planeKey(stateName);
        List<String> named = stages.stream().filter(s -> s.planeName() != null && planeKey(s.planeName()).equals(name))
                .map(Stage::key).toList();
        return !named.isEmpty() ? named
                : stages.stream().filter(s -> planeKey(s.key()).equals(name)).map(Stage::key).toList();
    }

    /** Position in pipeline order, for "at or before the current stage" decisions. */
    public int position(String key) {
        for (int i = 0; i < stages.size(); i++) {
            if (stages.get(i).key().equals(key)) {
                return i;
            }
        }
        return -1;
    }
}
