package dev.baton.stage.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Baton's own identity. */
@ConfigMapping(prefix = "baton.self")
public interface SelfConfig {

    /** Baton's own repo ({@code owner/name}); the lease's scope when no repos are listed. */
    @WithDefault("baton/baton")
    String repo();
}
