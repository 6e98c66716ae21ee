package dev.baton.stage.pipeline;

import java.util.List;
import java.util.Map;

/**
 * One stage of the pipeline.
 *
 * @param key stable identifier stored in {@code task.stage}
 * @param label display label per locale ({@code en}, {@code ru})
 * @param terminal no transition leaves it
 * @param worked entering it enqueues a job for an agent runner
 * @param gates names of the read-only quality checks that must pass to advance out of it
 * @param on inbound fact ({@link InboundFact#key()}) → the stage it moves a task in this stage to
 * @param recordsApproval a person moving the task forward out of this stage (in Plane) records an approval
 * @param cardGroup the card row this stage is shown on when it shares one with other stages; null = its own row
 * @param plane the Plane state that shows this stage; null = the name is the English label, no id
 */
public record Stage(String key, Map<String, String> label, boolean terminal, boolean worked, List<String> gates,
                    Map<String, String> on, boolean recordsApproval, String cardGroup, PlaneState plane) {

    public Stage {
        gates = gates == null ? List.of() : List.copyOf(gates);
        on = on == null ? Map.of() : Map.copyOf(on);
        label = label == null ? Map.of() : Map.copyOf(label);
    }

    /** A stage with no inbound triggers, approval, card group or Plane state. */
    public Stage(String key, Map<String, String> label, boolean terminal, boolean worked, List<String> gates) {
        this(key, label, terminal, worked, gates, Map.of(), false, null, null);
    }

    /** The name of the Plane state that shows this stage: the configured one, else the English label. */
    public String planeName() {
        return plane != null && plane.name() != null ? plane.name() : label.get("en");
    }

    /** The id of the Plane state the sync sets for this stage, or null when it is not mirrored. */
    public String planeId() {
        return plane == null ? null : plane.id();
    }

    Stage withPlane(PlaneState state) {
        return new Stage(key, label, terminal, worked, gates, on, recordsApproval, cardGroup, state);
    }
}
