package dev.baton.stage.transition;

import dev.baton.stage.config.LeaseConfig;
import dev.baton.stage.config.SelfConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Which tasks the transition lease guards (the kill switch and the repo scope). */
@ApplicationScoped
public class LeaseScope {

    private final boolean enabled;
    private final boolean allRepos;
    private final Set<String> repos;

    public LeaseScope(LeaseConfig lease, SelfConfig self) {
        List<String> listed = lease.repos().orElse(List.of()).stream().map(String::trim).filter(r -> !r.isEmpty())
                .toList();
        this.enabled = lease.enabled();
        this.allRepos = listed.contains("*");
        this.repos = listed.isEmpty() ? Set.of(self.repo()) : listed.stream().collect(Collectors.toUnmodifiableSet());
    }

    /** True if transitions of this repo go through the lease and the CAS. */
    public boolean guards(String repo) {
        return enabled && (allRepos || repos.contains(repo));
    }
}
