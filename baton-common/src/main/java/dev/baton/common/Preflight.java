package dev.baton.common;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Start-up checks of the settings a service cannot run without, run before the framework
 * boots so that a bad setting stops the process with one line naming the variable and what
 * is wrong, instead of a stack trace from deep inside the runtime. The settings of the
 * {@code @ConfigMapping} interfaces are checked against their own constraints
 * ({@link #settings}); the checks here are for what no interface holds (the database URL,
 * the brokers, the port, files).
 */
public final class Preflight {

    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    public Preflight(Map<String, String> env) {
        this.env = env;
    }

    /** An optional setting that, when set, must satisfy {@code valid}. */
    public Preflight optional(String variable, String expectation, Predicate<String> valid) {
        String value = env.get(variable);
        if (value != null && !safeTest(valid, value.trim())) {
            problems.add(variable + " is malformed: expected " + expectation);
        }
        return this;
    }

    /** A setting that must be set, non-blank and satisfy {@code valid}. */
    public Preflight required(String variable, String expectation, Predicate<String> valid) {
        String value = env.get(variable);
        if (value == null || value.isBlank()) {
            problems.add(variable + " is missing: expected " + expectation);
        } else if (!safeTest(valid, value.trim())) {
            problems.add(variable + " is malformed: expected " + expectation);
        }
        return this;
    }

    /** The HTTP port must be free on this host (0 means "pick one", always free). */
    public Preflight portFree(String variable, int port) {
        if (port <= 0) {
            return this;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
        } catch (IOException e) {
            problems.add(variable + "=" + port + " is already in use by another process");
        }
        return this;
    }

    /**
     * The constraints on the service's {@code @ConfigMapping} interfaces, checked against the
     * environment: each bad setting is one problem naming its variable.
     */
    public Preflight settings(List<Class<?>> mappings) {
        problems.addAll(dev.baton.common.config.SettingsCheck.problems(env, mappings));
        return this;
    }

    /** Problems a service found with checks of its own (e.g. a definitions file), each one line. */
    public Preflight problems(List<String> found) {
        problems.addAll(found);
        return this;
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /**
     * Stops the process with one line per problem, before any framework code runs. Standard
     * error on purpose: no logger is configured yet, and an operator must see the line.
     */
    public void exitOnProblems(String service) {
        if (problems.isEmpty()) {
            return;
        }
        for (String problem : problems) {
            System.err.println(service + ": cannot start: " + problem);
        }
        System.exit(2);
    }

    /** The port a service will listen on: the variable if it is a valid port, else the default. */
    public int port(String variable, int defaultPort) {
        String value = env.get(variable);
        return value != null && isPort(value.trim()) ? Integer.parseInt(value.trim()) : defaultPort;
    }

    public static boolean isPort(String value) {
        try {
            int port = Integer.parseInt(value);
            return port >= 0 && port <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** {@code postgresql://host[:port]/database}: the form both the JDBC and the reactive driver accept. */
    public static boolean isPostgresUrl(String value) {
        try {
            URI uri = URI.create(value);
            return ("postgresql".equals(uri.getScheme()) || "postgres".equals(uri.getScheme()))
                    && uri.getHost() != null && uri.getPath() != null && uri.getPath().length() > 1;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code http(s)://host[:port][/path]}. */
    public static boolean isHttpUrl(String value) {
        try {
            URI uri = URI.create(value);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code host:port[,host:port...]}. */
    public static boolean isBootstrapList(String value) {
        for (String part : value.split(",")) {
            int colon = part.lastIndexOf(':');
            if (colon <= 0 || !isPort(part.substring(colon + 1).trim()) || part.substring(colon + 1).trim().equals("0")) {
                return false;
            }
        }
        return true;
    }

    public static boolean isBoolean(String value) {
        return "true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value);
    }

    private static boolean safeTest(Predicate<String> valid, String value) {
        try {
            return valid.test(value);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
