package dev.baton.infra.test;

import dev.baton.common.config.SettingsCheck;
import io.smallrye.config.ConfigMapping;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every service's settings test proves, without booting Quarkus per value: the service's
 * {@code @ConfigMapping} interfaces are the one list of valid settings (each one is checked at
 * start, and every duration, count, rate and URL in them has a row below), and each bad value
 * stops the start with one line naming its variable. One real start of the service's main class,
 * in its own JVM, shows the exit code 2 and the single line.
 *
 * <p>The rows are data, one file per service: {@value #TABLE} on the module's test classpath, a
 * line {@code VARIABLE | malformed | out of range} per setting, {@code #} for comments.
 */
public abstract class SettingsContract {

    /** The test resource that holds the service's rows. */
    public static final String TABLE = "bad-settings.txt";

    /** A setting's variable, a value that does not parse, and one that parses but is out of its range. */
    public record BadValues(String variable, String malformed, String outOfRange) {
    }

    private final Class<?> main;
    private final List<Class<?>> settings;

    /**
     * @param main     the service's {@code @QuarkusMain} class
     * @param settings the mappings that main checks before it boots
     */
    protected SettingsContract(Class<?> main, List<Class<?>> settings) {
        this.main = main;
        this.settings = settings;
    }

    /** One row per duration, count, rate and URL setting, from {@value #TABLE}. */
    private List<BadValues> table() throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(TABLE)) {
            if (in == null) {
                throw new IllegalStateException(TABLE + " is not on the test classpath of " + main.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .map(line -> {
                        String[] cells = line.split("\\s*\\|\\s*", -1);
                        if (cells.length != 3) {
                            throw new IllegalStateException(TABLE + ": not VARIABLE | malformed | out of range: " + line);
                        }
                        return new BadValues(cells[0], cells[1], cells[2]);
                    }).toList();
        }
    }

    /** Other settings the real start needs to get as far as the settings (e.g. a file it reads). */
    protected Map<String, String> startEnvironment() {
        return Map.of();
    }

    @Test
    void theDefaultsPass() {
        assertEquals(List.of(), problems(Map.of()));
    }

    @Test
    void everyConfigMappingOfTheServiceIsChecked() throws IOException {
        Path classes = Path.of(main.getProtectionDomain().getCodeSource().getLocation().getPath());
        Set<String> found = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                try {
                    if (Class.forName(name, false, main.getClassLoader()).isAnnotationPresent(ConfigMapping.class)) {
                        found.add(name);
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    // A class that cannot load without the framework is no mapping interface.
                }
            }
        }
        assertEquals(found, settings.stream().map(Class::getName).collect(Collectors.toCollection(TreeSet::new)));
    }

    @Test
    void everyDurationCountRateAndUrlHasARow() throws IOException {
        Set<String> ranged = new TreeSet<>();
        for (Class<?> mapping : settings) {
            SettingsCheck.properties(mapping).forEach((property, accessor) -> {
                if (ranged(property, accessor)) {
                    ranged.add(SettingsCheck.envName(property));
                }
            });
        }
        assertEquals(ranged, table().stream().map(BadValues::variable).collect(Collectors.toCollection(TreeSet::new)));
    }

    @TestFactory
    Stream<DynamicTest> aMalformedValueIsOneLineNamingTheVariable() throws IOException {
        return table().stream().map(row -> DynamicTest.dynamicTest(row.variable() + "=" + row.malformed(),
                () -> assertOneLine(row.variable(), row.malformed(), " is malformed: ")));
    }

    @TestFactory
    Stream<DynamicTest> anOutOfRangeValueIsOneLineNamingTheVariable() throws IOException {
        return table().stream().map(row -> DynamicTest.dynamicTest(row.variable() + "=" + row.outOfRange(),
                () -> assertOneLine(row.variable(), row.outOfRange(), isUrl(row.variable()) ? " is malformed: " : " is out of range: ")));
    }

    /** The real main in its own JVM: the first row's out-of-range value stops it with exit 2 and one line. */
    @Test
    void theRealStartExitsWithCode2AndOneLineNamingTheVariable() throws Exception {
        BadValues row = table().get(0);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // The log manager the packaged runner installs, so the child logs (or stays quiet) as the real start does.
        // C1 only: the child runs for a second, and a short JVM start matters more than peak speed.
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-cp", System.getProperty("java.class.path"), main.getName()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("BATON_") || name.startsWith("QUARKUS_"));
        builder.environment().putAll(startEnvironment());
        builder.environment().put(row.variable(), row.outOfRange());
        // Port 0 is always free: only the bad setting can stop the start.
        builder.environment().put("QUARKUS_HTTP_PORT", "0");
        // Output to a file: readable whether the process stopped by itself or had to be killed.
        Path output = Files.createTempFile("settings-start", ".log");
        builder.redirectOutput(output.toFile());
        Process process = builder.start();
        boolean exited = process.waitFor(30, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor();
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        Files.deleteIfExists(output);
        assertTrue(exited, "the start did not stop on " + row.variable() + "=" + row.outOfRange() + ":\n" + printed);
        assertEquals(2, process.exitValue(), printed);
        List<String> lines = printed.lines().filter(line -> !line.isBlank()).toList();
        assertEquals(1, lines.size(), printed);
        assertTrue(lines.get(0).contains(": cannot start: " + row.variable() + " is "), printed);
    }

    private void assertOneLine(String variable, String value, String kind) {
        List<String> problems = problems(Map.of(variable, value));
        assertEquals(1, problems.size(), () -> variable + "=" + value + " gave " + problems);
        assertTrue(problems.get(0).startsWith(variable + kind), problems::toString);
    }

    /**
     * The check as the main runs it, without the {@code baton.*} system properties an earlier
     * {@code @QuarkusTest} of the same JVM left behind (a test profile's overrides): they outrank
     * the environment and would hide the value under test.
     */
    private List<String> problems(Map<String, String> env) {
        Map<String, String> left = new HashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("baton.")) {
                left.put(name, System.clearProperty(name));
            }
        }
        try {
            return SettingsCheck.problems(env, settings);
        } finally {
            left.forEach(System::setProperty);
        }
    }

    private static boolean isUrl(String variable) {
        return variable.endsWith("_URL");
    }

    /** Numbers, durations, and text settings that are URLs: each needs a range or a shape. */
    private static boolean ranged(String property, Method accessor) {
        Type type = accessor.getGenericReturnType();
        if (type instanceof ParameterizedType optional && optional.getRawType() == Optional.class) {
            type = optional.getActualTypeArguments()[0];
        }
        return type == Duration.class || type == int.class || type == long.class || type == Integer.class
                || type == Long.class || type == String.class && property.endsWith("url");
    }
}
