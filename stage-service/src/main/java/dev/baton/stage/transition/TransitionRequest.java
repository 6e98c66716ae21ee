package dev.baton.stage.transition;

import dev.baton.stage.Actor;

/** A validated request to move a task from one stage to another. */
public record TransitionRequest(String taskId, String from, String to, Actor actor, String reason, String requestId) {
}
