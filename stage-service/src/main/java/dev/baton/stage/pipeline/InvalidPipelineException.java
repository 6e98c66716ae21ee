package dev.baton.stage.pipeline;

import java.util.List;

/** The pipeline definition cannot be used; the message lists every problem. */
public class InvalidPipelineException extends RuntimeException {

    private final List<String> problems;

    public InvalidPipelineException(List<String> problems) {
        super("invalid pipeline definition: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
