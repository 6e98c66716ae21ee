package dev.baton.stage.config;

import dev.baton.common.config.DurationRange;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import java.time.Duration;
import java.util.Optional;

/** The operator console at {@code /console}. */
@ConfigMapping(prefix = "baton.console")
public interface ConsoleConfig {

    /**
     * Token that lets a person read the console ({@code BATON_CONSOLE_TOKEN}); the admin token
     * also reads, and only the admin token acts. Unset: only the admin token logs in. Never logged.
     */
    Optional<String> token();

    /** How long a console session cookie stays valid after login. */
    @WithDefault("12h")
    @DurationRange(min = "1m", max = "30d")
    Duration sessionTtl();

    /** How often open consoles look for newly committed changes (the head of the outbox) to push. */
    @WithDefault("1s")
    @DurationRange(min = "1s", max = "1m")
    Duration livePoll();

    /** Cards shown per terminal stage (the most recent); the column header still counts them all. */
    @WithDefault("50")
    @Min(1)
    @Max(1000)
    int terminalShown();
}
