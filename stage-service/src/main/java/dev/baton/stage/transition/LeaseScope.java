package dev.baton.stage.transition;

import dev.baton.stage.config.LeaseConfig;
import dev.baton.stage.config.SelfConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Which tasks the transition lease guards (the kill switch and the repo scope). */
@ApplicationScoped
public class LeaseScope {

    private final String[] guarded;

    public LeaseScope(LeaseConfig lease, SelfConfig self) {
        List<String> listed = lease.repos().orElse(List.of()).stream().map(String::trim).filter(r -> !r.isEmpty())
                .toList();
        if (!lease.enabled()) {
            this.guarded = new String[0];
        } else if (listed.contains("*")) {
            this.guarded = null;
        } else {
            this.guarded = (listed.isEmpty() ? List.of(self.repo()) : listed).stream().distinct()
                    .toArray(String[]::new);
        }
    }

    /**
     * The repos whose transitions go through the lease and the CAS, as the enter statement takes
     * them: null for every repo, none at all with the kill switch off.
     */
    public String[] guardedRepos() {
        return guarded == null ? null : guarded.clone();
    }
}
