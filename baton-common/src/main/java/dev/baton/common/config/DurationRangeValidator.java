package dev.baton.common.config;

import io.quarkus.runtime.configuration.DurationConverter;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

import java.time.Duration;

/** Checks {@link DurationRange}; the bounds are read with Quarkus's own duration syntax, as the setting is. */
public class DurationRangeValidator implements ConstraintValidator<DurationRange, Duration> {

    private Duration min;
    private Duration max;

    @Override
    public void initialize(DurationRange range) {
        min = DurationConverter.parseDuration(range.min());
        max = DurationConverter.parseDuration(range.max());
    }

    @Override
    public boolean isValid(Duration value, ConstraintValidatorContext context) {
        return value == null || (value.compareTo(min) >= 0 && value.compareTo(max) <= 0);
    }
}
