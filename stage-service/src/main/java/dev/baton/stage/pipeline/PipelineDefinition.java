package dev.baton.stage.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pipeline: its stages in order and {@code STAGE_TRANSITIONS}, the allowed changes. One
 * source of truth for the protocol, the queue and the notifier's labels. Built only through
 * {@link #of}, which rejects an invalid definition.
 */
public final class PipelineDefinition {

    private final List<Stage> stages;
    private final Map<String, Stage> byKey;
    private final Map<String, Transition> transitions;

    private PipelineDefinition(List<Stage> stages, List<Transition> transitions) {
        this.stages = List.copyOf(stages);
        this.byKey = new LinkedHashMap<>();
        stages.forEach(stage -> byKey.put(stage.key(), stage));
        this.transitions = new LinkedHashMap<>();
        transitions.forEach(t -> this.transitions.put(t.from() + "->" + t.to(), t));
    }

    /**
     * Validates and builds a definition. Cancel transitions are added from every
     * non-terminal stage to {@code cancelTo} (when given).
     *
     * @throws InvalidPipelineException naming every problem found
     */
    public static PipelineDefinition of(List<Stage> stages, List<Transition> declared, String cancelTo) {
        List<String> problems = new ArrayList<>();
        if (stages == null || stages.isEmpty()) {
            throw new InvalidPipelineException(List.of("no stages defined"));
        }
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
        if (problems.isEmpty()) {
            problems.addAll(reachability(stages, all));
        }
        if (!problems.isEmpty()) {
            throw new InvalidPipelineException(problems);
        }
        return new PipelineDefinition(stages, all);
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
