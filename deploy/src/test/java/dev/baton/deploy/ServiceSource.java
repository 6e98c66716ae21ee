package dev.baton.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a service's own sources say about how it runs, read from the repository (never from a
 * packaged service): its HTTP port, health and metrics paths, the environment variables it reads,
 * the Kafka topics it names, the class-level JAX-RS paths, and its Dockerfile. The manifests are
 * checked against these, so a change on either side that the other does not follow fails the build.
 */
record ServiceSource(String name, Path dir, Map<String, String> properties, Set<String> readableEnv,
                     String pom, String dockerfile, Set<String> resourcePaths, Map<String, String> defaults) {

    /** Every service module: a top-level directory listed in the root pom with a Quarkus Dockerfile. */
    static List<ServiceSource> all(Path root) {
        String pom = read(root.resolve("pom.xml"));
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
        List<ServiceSource> services = new java.util.ArrayList<>();
        while (m.find()) {
            Path dir = root.resolve(m.group(1));
            if (Files.isRegularFile(dir.resolve(DOCKERFILE))) {
                services.add(load(m.group(1), dir));
            }
        }
        return services;
    }

    static final String DOCKERFILE = "src/main/docker/Dockerfile.jvm";

    /** Read by the JVM itself, whatever the service's sources say. */
    private static final Set<String> JVM_ENV = Set.of("JAVA_TOOL_OPTIONS");

    static ServiceSource load(String name, Path dir) {
        Map<String, String> props = properties(dir.resolve("src/main/resources/application.properties"));
        String dockerfile = read(dir.resolve(DOCKERFILE));
        Set<String> env = new TreeSet<>(JVM_ENV);
        // The image's entrypoint expands these (JAVA_OPTS).
        Matcher shell = Pattern.compile("\\$\\{?([A-Z][A-Z0-9_]*)").matcher(dockerfile);
        while (shell.find()) {
            env.add(shell.group(1));
        }
        // baton-common is in every service: the variables it reads (tracing's BATON_OTEL_ENDPOINT) count too.
        String java = javaSources(dir.resolve("src/main/java"))
                + javaSources(dir.resolveSibling("baton-common").resolve("src/main/java"));
        for (Map.Entry<String, String> p : props.entrySet()) {
            env.add(envName(p.getKey()));
            Matcher ref = Pattern.compile("\\$\\{([^:}]+)").matcher(p.getValue());
            while (ref.find()) {
                env.add(envName(ref.group(1)));
            }
        }
        // @ConfigMapping(prefix = "baton.x") interface: every abstract accessor is a property, kebab-cased,
        // with those of the shared interfaces it extends (baton-common's PlaneAccount, RetentionSettings).
        Map<String, String> shared = interfaces(javaSources(dir.resolveSibling("baton-common").resolve("src/main/java")));
        Map<String, String> defaults = new LinkedHashMap<>();
        for (String unit : java.split("(?=\\npackage )")) {
            Matcher mapping = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"\\)").matcher(unit);
            if (mapping.find()) {
                StringBuilder body = new StringBuilder(unit);
                Matcher parents = Pattern.compile("interface\\s+\\w+\\s+extends\\s+([\\w\\s,]+)\\{").matcher(unit);
                if (parents.find()) {
                    for (String parent : parents.group(1).split(",")) {
                        body.append('\n').append(shared.getOrDefault(parent.trim(), ""));
                    }
                }
                Matcher accessor = Pattern.compile("(?m)^\\s+[\\w.<>, ?\\[\\]]+\\s+(\\w+)\\(\\)\\s*;").matcher(body);
                while (accessor.find()) {
                    env.add(envName(mapping.group(1) + "." + kebab(accessor.group(1))));
                }
                Matcher withDefault = WITH_DEFAULT.matcher(body);
                while (withDefault.find()) {
                    defaults.put(envName(mapping.group(1) + "." + kebab(withDefault.group(2))), withDefault.group(1));
                }
            }
        }
        Matcher named = Pattern.compile("@ConfigProperty\\(name\\s*=\\s*\"([^\"]+)\"").matcher(java);
        while (named.find()) {
            env.add(envName(named.group(1)));
        }
        // Variables read directly: the start-up Preflight and System.getenv.
        Matcher direct = Pattern.compile("(?:getenv|optional|required|portFree)\\(\\s*\"([A-Z][A-Z0-9_]*)\"").matcher(java);
        while (direct.find()) {
            env.add(direct.group(1));
        }
        Set<String> paths = new TreeSet<>();
        Matcher resource = Pattern.compile("(?m)^@Path\\(\"([^\"]+)\"\\)\\s*\\n(?:@.*\\n)*public class \\w+Resource").matcher(java);
        while (resource.find()) {
            paths.add(resource.group(1));
        }
        return new ServiceSource(name, dir, props, env, read(dir.resolve("pom.xml")), dockerfile, paths, defaults);
    }

    /** {@code @WithDefault("v")}, then any other annotations (a range), then the accessor it belongs to. */
    private static final Pattern WITH_DEFAULT = Pattern.compile(
            "@WithDefault\\(\"([^\"]*)\"\\)(?:\\s*@[\\w.]+(?:\\([^)]*\\))?)*\\s+[\\w.<>, ?\\[\\]]+\\s+(\\w+)\\(\\)\\s*;");

    /**
     * A setting's value as the service runs with {@code env}: the variable if set, else the
     * property in application.properties, else the {@code @WithDefault} of its settings interface.
     */
    Optional<String> setting(String variable, Map<String, String> env) {
        if (env.containsKey(variable)) {
            return Optional.ofNullable(env.get(variable));
        }
        return properties.entrySet().stream().filter(p -> envName(p.getKey()).equals(variable))
                .map(Map.Entry::getValue).findFirst().or(() -> Optional.ofNullable(defaults.get(variable)));
    }

    /** Whether the service reads this variable: named in its sources, or a Quarkus setting. */
    boolean reads(String variable) {
        return readableEnv.contains(variable) || variable.startsWith("QUARKUS_");
    }

    int httpPort() {
        return Integer.parseInt(properties.getOrDefault("quarkus.http.port", "8080"));
    }

    /** Where health and metrics answer: the management interface's port when it is on, else the HTTP port. */
    int managementPort() {
        return Boolean.parseBoolean(properties.getOrDefault("quarkus.management.enabled", "false"))
                ? Integer.parseInt(properties.getOrDefault("quarkus.management.port", "9000")) : httpPort();
    }

    boolean usesPostgres() {
        return properties.containsKey("quarkus.datasource.db-kind");
    }

    boolean usesKafka() {
        return properties.containsKey("kafka.bootstrap.servers");
    }

    boolean hasExtension(String artifactId) {
        return pom.contains("<artifactId>" + artifactId + "</artifactId>");
    }

    private String nonApplicationRoot() {
        String root = properties.getOrDefault("quarkus.http.root-path", "/");
        String nonApp = properties.getOrDefault("quarkus.http.non-application-root-path", "q");
        return nonApp.startsWith("/") ? nonApp : (root.endsWith("/") ? root : root + "/") + nonApp;
    }

    /** {@code live}, {@code ready}, {@code started} → the path SmallRye Health serves it on. */
    String healthPath(String kind) {
        String health = properties.getOrDefault("quarkus.smallrye-health.root-path", "health");
        String sub = properties.getOrDefault("quarkus.smallrye-health." + Map.of(
                "live", "liveness-path", "ready", "readiness-path", "started", "startup-path").get(kind), kind);
        return nonApplicationRoot() + "/" + health + "/" + sub;
    }

    String metricsPath() {
        return nonApplicationRoot() + "/" + properties.getOrDefault("quarkus.micrometer.export.prometheus.path", "metrics");
    }

    /** Topics named by the service's messaging channels. */
    Set<String> topics() {
        Set<String> topics = new TreeSet<>();
        properties.forEach((k, v) -> {
            if (k.startsWith("mp.messaging.") && k.endsWith(".topic")) {
                topics.add(v);
            }
        });
        return topics;
    }

    /** The port the Dockerfile EXPOSEs, or -1. */
    int exposedPort() {
        Matcher m = Pattern.compile("(?m)^EXPOSE\\s+(\\d+)").matcher(dockerfile);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Quarkus' environment-variable form of a property name: upper case, every other character '_'. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT);
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** Profile-less properties; a {@code %test.} key is not something a deployment can set. */
    private static Map<String, String> properties(Path file) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(read(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().stream().filter(k -> !k.startsWith("%")).sorted()
                .forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    /** The public interfaces among these sources, by simple name: what a service's mapping may extend. */
    private static Map<String, String> interfaces(String java) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (String unit : java.split("(?=\\npackage )")) {
            Matcher declared = Pattern.compile("public interface (\\w+)").matcher(unit);
            if (declared.find()) {
                byName.put(declared.group(1), unit);
            }
        }
        return byName;
    }

    private static String javaSources(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            StringBuilder all = new StringBuilder();
            files.filter(f -> f.toString().endsWith(".java")).sorted()
                    .forEach(f -> all.append('\n').append(read(f).replaceAll("(?s)/\\*\\*.*?\\*/", "")));
            return all.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read", e);
        }
    }
}
