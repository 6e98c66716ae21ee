package dev.baton.stage.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Optional;

/** The transition lease's kill switch and scope. */
@ConfigMapping(prefix = "baton.transition-lease")
public interface LeaseConfig {

    /** {@code false} makes the lease inert and the stage write the plain, unguarded update. */
    @WithDefault("true")
    boolean enabled();

    /** Repos the lease guards: empty means only {@code BATON_SELF_REPO}; {@code *} means all. */
    Optional<List<String>> repos();
}
