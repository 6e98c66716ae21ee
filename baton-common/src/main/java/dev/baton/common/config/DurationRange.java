package dev.baton.common.config;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A {@link java.time.Duration} setting within {@code [min, max]}, both written as in configuration
 * ({@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 7d}). Zero and negative durations are
 * out of range unless {@code min} allows them: a negative ceiling or interval is never what was meant.
 */
@Documented
@Constraint(validatedBy = DurationRangeValidator.class)
@Target({ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface DurationRange {

    String message() default "must be between {min} and {max}";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Smallest allowed value, inclusive. */
    String min();

    /** Largest allowed value, inclusive. */
    String max();
}
