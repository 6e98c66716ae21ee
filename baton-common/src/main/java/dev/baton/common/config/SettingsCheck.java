package dev.baton.common.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigMappingInterface;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SysPropConfigSource;
import io.smallrye.config.validator.BeanValidationConfigValidator;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Checks a service's settings against the constraints on its {@code @ConfigMapping} interfaces
 * before Quarkus boots, so the interfaces are the one list of what is valid and a bad setting
 * stops the start with one line naming the environment variable and the reason:
 * <ol>
 *   <li>bind each mapping from the environment (and system properties) with the same duration
 *       syntax and the same Bean Validation constraints Quarkus applies when it boots;</li>
 *   <li>turn each problem SmallRye reports into {@code VARIABLE is malformed: expected …} (the value
 *       does not convert) or {@code VARIABLE is out of range: …} (a constraint refused it);</li>
 *   <li>never print the value: a token's constraint must not leak the token.</li>
 * </ol>
 * Quarkus validates the same mappings again as it boots (quarkus-hibernate-validator), which covers
 * values that come from {@code application.properties} rather than the environment.
 */
public final class SettingsCheck {

    /** Hibernate Validator announces its version at INFO; before the log is configured that is a stray line. */
    private static final Logger QUIET = Logger.getLogger("org.hibernate.validator");

    private SettingsCheck() {
    }

    /** One line per bad setting, naming its environment variable; empty when every mapping binds and validates. */
    public static List<String> problems(Map<String, String> env, List<Class<?>> mappings) {
        List<String> problems = new ArrayList<>();
        for (Class<?> mapping : mappings) {
            Map<String, Method> properties = properties(mapping);
            try {
                new SmallRyeConfigBuilder()
                        .withSources(new EnvConfigSource(env, EnvConfigSource.ORDINAL), new SysPropConfigSource())
                        .withConverter(Duration.class, 200, new DurationConverter())
                        .withValidateUnknown(false)
                        .withValidator((BeanValidationConfigValidator) Validators::get)
                        .withMapping(mapping)
                        .build();
            } catch (ConfigValidationException e) {
                for (int i = 0; i < e.getProblemCount(); i++) {
                    problems.add(line(e.getProblem(i).getMessage(), properties));
                }
            } catch (RuntimeException e) {
                problems.add(line(String.valueOf(e.getMessage()), properties));
            }
        }
        return problems.stream().distinct().toList();
    }

    /** The environment variable that sets a property: {@code baton.reaper.max-running} → {@code BATON_REAPER_MAX_RUNNING}. */
    public static String envName(String property) {
        return property.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** Every property of a mapping by its full name, with the accessor that reads it. */
    public static Map<String, Method> properties(Class<?> mapping) {
        String prefix = mapping.getAnnotation(ConfigMapping.class).prefix();
        ConfigMappingInterface shape = ConfigMappingInterface.getConfigurationInterface(mapping);
        Map<String, Method> properties = new LinkedHashMap<>();
        for (ConfigMappingInterface.Property property : shape.getProperties()) {
            String name = shape.getNamingStrategy().apply(property.getPropertyName());
            properties.put(prefix + "." + name, property.getMethod());
        }
        return properties;
    }

    private static String line(String message, Map<String, Method> properties) {
        Optional<String> named = properties.keySet().stream()
                .filter(name -> mentions(message, name))
                .max(Comparator.comparingInt(String::length));
        if (named.isEmpty()) {
            return message;
        }
        String property = named.get();
        if (message.startsWith(property + " ")) {
            // A constraint refused a value that converted: a number outside its range, or a text of the wrong shape.
            String reason = message.substring(property.length() + 1);
            return envName(property) + (isText(properties.get(property)) ? " is malformed: " : " is out of range: ") + reason;
        }
        return envName(property) + " is malformed: expected " + expectation(properties.get(property));
    }

    private static boolean mentions(String message, String property) {
        int at = message.indexOf(property);
        while (at >= 0) {
            int end = at + property.length();
            if (end == message.length() || !Character.isLetterOrDigit(message.charAt(end)) && message.charAt(end) != '-') {
                return true;
            }
            at = message.indexOf(property, at + 1);
        }
        return false;
    }

    private static boolean isText(Method accessor) {
        return valueType(accessor) == String.class;
    }

    private static Type valueType(Method accessor) {
        Type type = accessor.getGenericReturnType();
        if (type instanceof ParameterizedType optional && optional.getRawType() == Optional.class) {
            return optional.getActualTypeArguments()[0];
        }
        return type;
    }

    private static String expectation(Method accessor) {
        Type type = valueType(accessor);
        if (type == Duration.class) {
            return "a duration such as 30s, 500ms or 2m";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        return "a value of type " + type.getTypeName();
    }

    /** One validator for all checks, built on first use (Hibernate Validator takes a few hundred ms to start). */
    private static final class Validators {

        private static final Validator VALIDATOR = build();

        static Validator get() {
            return VALIDATOR;
        }

        private static Validator build() {
            Level before = QUIET.getLevel();
            QUIET.setLevel(Level.WARNING);
            try {
                // Parameter interpolation: messages need no expression language before the framework runs.
                return Validation.byProvider(HibernateValidator.class).configure()
                        .messageInterpolator(new ParameterMessageInterpolator())
                        .buildValidatorFactory().getValidator();
            } finally {
                QUIET.setLevel(before);
            }
        }
    }
}
