package dev.baton.stage.effect;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code coverage_ratchet} (testing → deploy-staging): raises the repo's coverage floor, never lowers it. */
@ApplicationScoped
public class CoverageRatchetEffect implements Effect {

    private final FactsLoader facts;

    public CoverageRatchetEffect(FactsLoader facts) {
        this.facts = facts;
    }

    @Override
    public String name() {
        return "coverage_ratchet";
    }

    @Override
    public Uni<EffectResult> apply(EffectContext context) {
        return facts.of(context).flatMap(f -> f.coverage() == null
                ? Uni.createFrom().item(EffectResult.failed("no coverage recorded"))
                : facts.raiseFloor(context.repo(), f.coverage())
                        .map(floor -> EffectResult.done("coverage " + f.coverage() + ", floor now " + floor)));
    }

    /** The ratchet is monotonic, so re-applying is harmless; it happened iff the floor covers the coverage. */
    @Override
    public Uni<Resolution> resolve(EffectContext context) {
        return facts.of(context).map(f -> f.coverage() != null && f.coverageFloor() != null
                && f.coverageFloor().compareTo(f.coverage()) >= 0 ? Resolution.HAPPENED : Resolution.NOT_HAPPENED);
    }
}
