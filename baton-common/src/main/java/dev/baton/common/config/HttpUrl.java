package dev.baton.common.config;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * {@code http(s)://host[:port][/path]}: a base URL a client calls. On an {@code Optional} setting it
 * checks the value when one is set. Placeholders such as {@code {repo}} may follow the host.
 */
@Documented
@Constraint(validatedBy = {HttpUrlValidator.class, HttpUrlValidator.WhenSet.class})
@Target({ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface HttpUrl {

    String message() default "must be an http(s) URL such as http://host:8080";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
