package dev.baton.reaper.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /pipeline}: the stages, the transitions stage-service allows, and the Plane state id
 * each stage is mirrored to ({@code planeStates}, stage-service's {@code BATON_PLANE_STATE_MAP}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Pipeline(List<Stage> stages, List<Transition> transitions, Map<String, String> planeStates) {

    /** A stage of the pipeline. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Stage(String key, boolean terminal, boolean worked) {
    }

    /** An allowed stage change with its kind ({@code advance}, {@code rollback}, {@code cancel}) and effects. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Transition(String from, String to, String kind, List<String> effects) {
    }

    /** The stage a transition carrying {@code effect} enters, if the pipeline has one. */
    public Optional<String> enteredBy(String effect) {
        return transitions == null ? Optional.empty() : transitions.stream()
                .filter(t -> t.effects() != null && t.effects().contains(effect)).map(Transition::to).findFirst();
    }

    /** Where the stage's rollback leads, if the pipeline defines one. */
    public Optional<String> rollbackOf(String stage) {
        return target(stage, "rollback");
    }

    /** The stage's forward transition, if any. */
    public Optional<String> advanceOf(String stage) {
        return target(stage, "advance");
    }

    /** True when stage-service's pipeline has a transition {@code from → to} of any kind. */
    public boolean allows(String from, String to) {
        return transitions != null && transitions.stream().anyMatch(t -> from.equals(t.from()) && to.equals(t.to()));
    }

    /** The Plane state id the sync sets for {@code stage}, if it is mirrored. */
    public Optional<String> planeStateOf(String stage) {
        return planeStates == null ? Optional.empty() : Optional.ofNullable(planeStates.get(stage));
    }

    /** The stages the sync shows as Plane state {@code stateId}, in pipeline order (several may share one). */
    public List<String> stagesShownAs(String stateId) {
        return planeStates == null || stages == null ? List.of() : stages.stream().map(Stage::key)
                .filter(key -> stateId.equals(planeStates.get(key))).toList();
    }

    public boolean hasStage(String stage) {
        return stages != null && stages.stream().anyMatch(s -> s.key().equals(stage));
    }

    private Optional<String> target(String stage, String kind) {
        return transitions == null ? Optional.empty() : transitions.stream()
                .filter(t -> stage.equals(t.from()) && kind.equalsIgnoreCase(t.kind()))
                .map(Transition::to).findFirst();
    }
}
