package dev.baton.reaper.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Optional;

/** {@code GET /pipeline}: the stages and the transitions stage-service allows. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Pipeline(List<Stage> stages, List<Transition> transitions) {

    /** A stage of the pipeline. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Stage(String key, boolean terminal, boolean worked) {
    }

    /** An allowed stage change with its kind ({@code advance}, {@code rollback}, {@code cancel}). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Transition(String from, String to, String kind) {
    }

    /** Where the stage's rollback leads, if the pipeline defines one. */
    public Optional<String> rollbackOf(String stage) {
        return target(stage, "rollback");
    }

    /** The stage's forward transition, if any. */
    public Optional<String> advanceOf(String stage) {
        return target(stage, "advance");
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
