package dev.baton.stage.pipeline;

/**
 * The Plane state that shows a stage: {@code id} is what the Plane sync sets after a transition and
 * what the reconciler reads back; {@code name} is what a Plane webhook reports when a person moves a
 * work item. Either may be absent; several stages may share one state.
 */
public record PlaneState(String id, String name) {
}
