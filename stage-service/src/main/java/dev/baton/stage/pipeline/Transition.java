package dev.baton.stage.pipeline;

import java.util.List;

/**
 * An allowed stage change and the irreversible effects it carries, run in order through
 * the effect ledger.
 */
public record Transition(String from, String to, TransitionKind kind, List<String> effects) {
}
