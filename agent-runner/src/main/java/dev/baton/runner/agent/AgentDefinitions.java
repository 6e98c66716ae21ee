package dev.baton.runner.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agents definitions file, read and checked as a whole so that start-up names EVERY problem at
 * once. Shape:
 *
 * <pre>{@code
 * {"agents": {"analysis": {"command": ["claude", "-p", "{title}"], "env": {"K": "v"}, "passEnv": ["ANTHROPIC_API_KEY"],
 *             "timeout": "30m", "maxAttempts": 2, "agent": "analyst", "model": "sonnet", "effort": "high",
 *             "output": "result-file", "pullRequest": false}}}
 * }</pre>
 */
public final class AgentDefinitions {

    public static final Set<String> PLACEHOLDERS = new LinkedHashSet<>(List.of("workItem", "stage", "title", "repo",
            "branch", "prNumber", "workspace", "jobId", "attempt"));
    static final Set<String> FIELDS = new LinkedHashSet<>(List.of("command", "env", "passEnv", "timeout", "maxAttempts",
            "agent", "model", "effort", "output", "pullRequest"));
    static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");
    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, AgentDefinition> byStage;

    private AgentDefinitions(Map<String, AgentDefinition> byStage) {
        this.byStage = byStage;
    }

    /** The outcome of reading a file: the definitions, or every problem found. */
    public record Loaded(AgentDefinitions definitions, List<String> problems) {
    }

    /** Thrown when the file cannot be used; the message lists every problem. */
    public static final class InvalidAgentsException extends RuntimeException {
        public InvalidAgentsException(String file, List<String> problems) {
            super("agents file " + file + " is invalid: " + String.join("; ", problems));
        }
    }

    public static AgentDefinitions of(Map<String, AgentDefinition> byStage) {
        return new AgentDefinitions(Map.copyOf(byStage));
    }

    /**
     * Reads {@code file}; {@code knownStages} are the worked stages of the pipeline (empty = not checked).
     * Never throws: an unreadable file is a problem like any other.
     */
    public static Loaded load(Path file, Set<String> knownStages) {
        List<String> problems = new ArrayList<>();
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            return new Loaded(null, List.of("cannot read " + file + ": " + e.getMessage()));
        }
        Path dir = file.toAbsolutePath().getParent();
        Loaded loaded = parse(root, knownStages, problems);
        return loaded.definitions() == null ? loaded : new Loaded(loaded.definitions().relativeTo(dir), List.of());
    }

    /**
     * A program named by a relative path with a slash ({@code examples/review.sh}) is the file next
     * to the agents file, wherever the runner was started from; a bare name is looked up on PATH.
     */
    AgentDefinitions relativeTo(Path dir) {
        Map<String, AgentDefinition> resolved = new LinkedHashMap<>();
        byStage.forEach((stage, d) -> {
            String program = d.command().get(0);
            List<String> command = d.command();
            if (program.contains("/") && !Path.of(program).isAbsolute()) {
                command = new ArrayList<>(d.command());
                command.set(0, dir.resolve(program).normalize().toString());
            }
            resolved.put(stage, new AgentDefinition(d.stage(), List.copyOf(command), d.env(), d.passEnv(), d.timeout(),
                    d.maxAttempts(), d.agent(), d.model(), d.effort(), d.output(), d.pullRequest()));
        });
        return of(resolved);
    }

    static Loaded parse(JsonNode root, Set<String> knownStages, List<String> problems) {
        JsonNode agents = root == null ? null : root.get("agents");
        if (agents == null || !agents.isObject() || agents.isEmpty()) {
            return new Loaded(null, List.of("'agents' must be an object with one entry per stage"));
        }
        Map<String, AgentDefinition> byStage = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = agents.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            definition(entry.getKey(), entry.getValue(), knownStages, problems).ifPresent(d -> byStage.put(d.stage(), d));
        }
        return problems.isEmpty() ? new Loaded(of(byStage), List.of()) : new Loaded(null, List.copyOf(problems));
    }

    private static Optional<AgentDefinition> definition(String stage, JsonNode node, Set<String> knownStages,
                                                        List<String> problems) {
        String at = "agents." + stage;
        int before = problems.size();
        if (!knownStages.isEmpty() && !knownStages.contains(stage)) {
            problems.add(at + ": unknown stage '" + stage + "' (worked stages: " + knownStages + ")");
        }
        if (!node.isObject()) {
            problems.add(at + " must be an object");
            return Optional.empty();
        }
        node.fieldNames().forEachRemaining(field -> {
            if (!FIELDS.contains(field)) {
                problems.add(at + "." + field + ": unknown field (known: " + FIELDS + ")");
            }
        });
        List<String> command = strings(node.get("command"), at + ".command", problems);
        boolean listOrMissing = node.get("command") == null || node.get("command").isArray();
        if (listOrMissing && (command.isEmpty() || command.get(0).isBlank())) {
            problems.add(at + ".command: must be a non-empty argv list whose first element names the program");
        }
        command.forEach(arg -> placeholders(arg, at + ".command", problems));
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode envNode = node.get("env");
        if (envNode != null && !envNode.isNull()) {
            if (!envNode.isObject()) {
                problems.add(at + ".env: must be an object of strings");
            } else {
                envNode.fields().forEachRemaining(e -> {
                    if (!ENV_NAME.matcher(e.getKey()).matches() || !e.getValue().isTextual()) {
                        problems.add(at + ".env." + e.getKey() + ": must be a NAME with a string value");
                    } else {
                        placeholders(e.getValue().asText(), at + ".env." + e.getKey(), problems);
                        env.put(e.getKey(), e.getValue().asText());
                    }
                });
            }
        }
        List<String> passEnv = strings(node.get("passEnv"), at + ".passEnv", problems);
        passEnv.stream().filter(name -> !ENV_NAME.matcher(name).matches())
                .forEach(name -> problems.add(at + ".passEnv: '" + name + "' is not an environment variable name"));
        Duration timeout = DEFAULT_TIMEOUT;
        JsonNode timeoutNode = node.get("timeout");
        if (timeoutNode != null) {
            Optional<Duration> parsed = timeoutNode.isTextual() ? duration(timeoutNode.asText()) : Optional.empty();
            if (parsed.isEmpty() || parsed.get().isZero() || parsed.get().isNegative()) {
                problems.add(at + ".timeout: '" + timeoutNode.asText() + "' is not a positive duration (30s, 20m, 2h)");
            } else {
                timeout = parsed.get();
            }
        }
        int maxAttempts = 1;
        JsonNode attempts = node.get("maxAttempts");
        if (attempts != null) {
            if (!attempts.isInt() || attempts.asInt() < 1 || attempts.asInt() > 10) {
                problems.add(at + ".maxAttempts: must be an integer 1..10");
            } else {
                maxAttempts = attempts.asInt();
            }
        }
        String output = text(node, "output", AgentDefinition.RESULT_FILE, at, problems);
        if (!Set.of(AgentDefinition.RESULT_FILE, AgentDefinition.CLAUDE_JSON).contains(output)) {
            problems.add(at + ".output: must be '" + AgentDefinition.RESULT_FILE + "' or '"
                    + AgentDefinition.CLAUDE_JSON + "'");
        }
        JsonNode pr = node.get("pullRequest");
        if (pr != null && !pr.isBoolean()) {
            problems.add(at + ".pullRequest: must be true or false");
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new AgentDefinition(stage, List.copyOf(command), Map.copyOf(env), List.copyOf(passEnv),
                timeout, maxAttempts, text(node, "agent", stage + "-agent", at, problems),
                text(node, "model", null, at, problems), text(node, "effort", null, at, problems), output,
                pr != null && pr.asBoolean()));
    }

    private static String text(JsonNode node, String field, String otherwise, String at, List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return otherwise;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            problems.add(at + "." + field + ": must be a non-blank string");
            return otherwise;
        }
        return value.asText();
    }

    private static List<String> strings(JsonNode node, String at, List<String> problems) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            problems.add(at + ": must be a list of strings, not " + node.getNodeType().toString().toLowerCase());
            return List.of();
        }
        List<String> values = new ArrayList<>();
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                problems.add(at + ": every element must be a string");
                return List.of();
            }
            values.add(element.asText());
        }
        return values;
    }

    private static void placeholders(String text, String at, List<String> problems) {
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            if (!PLACEHOLDERS.contains(m.group(1))) {
                problems.add(at + ": unknown placeholder {" + m.group(1) + "} (known: " + PLACEHOLDERS + ")");
            }
        }
    }

    /** {@code 30s}, {@code 500ms}, {@code 20m}, {@code 2h}, or ISO-8601 {@code PT30S}. */
    static Optional<Duration> duration(String value) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(value.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return Optional.of(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
        }
        try {
            return Optional.of(Duration.parse(value.trim()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** {@code {name}} replaced by its value; an unknown name never reaches here (validated at load). */
    public static String fill(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(m.group(1), "")));
        }
        m.appendTail(out);
        return out.toString();
    }

    public Optional<AgentDefinition> forStage(String stage) {
        return Optional.ofNullable(byStage.get(stage));
    }

    public Set<String> stages() {
        return byStage.keySet();
    }
}
