package dev.baton.stage.config;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** Operator access. */
@ConfigMapping(prefix = "baton.admin")
public interface AdminConfig {

    /** Bearer token for operator endpoints ({@code BATON_ADMIN_TOKEN}); unset disables them. Never logged. */
    Optional<String> token();
}
