package dev.baton.common.config;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

import java.util.Optional;
import java.util.regex.Pattern;

/** Checks {@link HttpUrl} on a text setting; {@link WhenSet} on an optional one. */
public class HttpUrlValidator implements ConstraintValidator<HttpUrl, String> {

    /** Scheme, a host name or bracketed IPv6 address, an optional port, then anything without spaces. */
    static final Pattern URL = Pattern.compile("https?://([^\\s/:?#\\[\\]]+|\\[[0-9A-Fa-f:.]+\\])(:\\d{1,5})?([/?#]\\S*)?");

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        return value == null || URL.matcher(value).matches();
    }

    /** The same check on an {@code Optional<String>} setting: unset is valid. */
    public static class WhenSet implements ConstraintValidator<HttpUrl, Optional<String>> {

        @Override
        public boolean isValid(Optional<String> value, ConstraintValidatorContext context) {
            return value == null || value.isEmpty() || URL.matcher(value.get()).matches();
        }
    }
}
