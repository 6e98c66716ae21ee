package dev.baton.stage.effect;

/** How one run of an effect ended. */
public record EffectResult(Status status, String detail) {

    public enum Status { DONE, FAILED, IN_DOUBT }

    public static EffectResult done(String detail) {
        return new EffectResult(Status.DONE, detail);
    }

    /** The effect certainly did not happen; the transition does not go on. */
    public static EffectResult failed(String detail) {
        return new EffectResult(Status.FAILED, detail);
    }

    /** Nobody knows whether it happened: never retried blindly. */
    public static EffectResult inDoubt(String detail) {
        return new EffectResult(Status.IN_DOUBT, detail);
    }
}
