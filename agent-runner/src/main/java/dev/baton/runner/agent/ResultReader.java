package dev.baton.runner.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an agent's report: Baton's result file, or Claude Code's {@code --output-format json}
 * result object ({@code total_cost_usd}, {@code usage.input_tokens}, {@code usage.output_tokens},
 * {@code result}, {@code modelUsage}). A field of the wrong type is dropped with a warning naming it;
 * the rest is kept. Nothing here throws.
 */
public final class ResultReader {

    static final Pattern SHA = Pattern.compile("[0-9a-f]{7,64}");
    static final Set<String> ENVIRONMENTS = Set.of("staging", "production");
    static final Set<String> DEPLOY_STATES = Set.of("pending", "success", "failure");
    static final int MAX_SUMMARY = 8000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultReader() {
    }

    /** Baton's result file (Claude Code's result object is recognised there too, by its {@code type}). */
    public static AgentResult resultFile(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return AgentResult.empty(List.of("result file is not valid JSON: " + e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            return AgentResult.empty(List.of("result file must hold a JSON object"));
        }
        return "result".equals(root.path("type").asText()) && root.has("total_cost_usd") ? claude(root) : baton(root);
    }

    /** Claude Code's result object: the last line of stdout that parses as a JSON object. */
    public static AgentResult claudeStdout(String stdout) {
        String[] lines = stdout.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].trim();
            if (line.startsWith("{")) {
                try {
                    JsonNode node = JSON.readTree(line);
                    if (node.isObject()) {
                        return claude(node);
                    }
                } catch (JsonProcessingException notThisLine) {
                    // Keep looking upwards: Claude Code prints its result object last.
                }
            }
        }
        return AgentResult.empty(List.of("no Claude Code result object (--output-format json) on stdout"));
    }

    static AgentResult baton(JsonNode root) {
        List<String> warnings = new ArrayList<>();
        AgentResult.PullRequest pr = null;
        JsonNode prNode = root.get("pullRequest");
        if (prNode != null && !prNode.isNull()) {
            if (!prNode.isObject()) {
                warnings.add("pullRequest: must be an object {number, url, headSha}");
            } else {
                Long number = count(prNode, "number", "pullRequest.number", warnings);
                String url = string(prNode, "url", "pullRequest.url", warnings);
                String sha = string(prNode, "headSha", "pullRequest.headSha", warnings);
                if (sha != null && !SHA.matcher(sha).matches()) {
                    warnings.add("pullRequest.headSha: must be a lowercase hex commit id");
                    sha = null;
                }
                if (number != null && number >= 1) {
                    pr = new AgentResult.PullRequest(number.intValue(), url, sha);
                } else if (number != null) {
                    warnings.add("pullRequest.number: must be >= 1");
                }
            }
        }
        BigDecimal coverage = decimal(root, "coverage", "coverage", warnings);
        if (coverage != null && (coverage.signum() < 0 || coverage.compareTo(BigDecimal.valueOf(100)) > 0)) {
            warnings.add("coverage: must be a percentage 0..100");
            coverage = null;
        }
        Boolean approved = null;
        JsonNode approvedNode = root.get("approved");
        if (approvedNode != null && !approvedNode.isNull()) {
            if (approvedNode.isBoolean()) {
                approved = approvedNode.asBoolean();
            } else {
                warnings.add("approved: must be true or false");
            }
        }
        AgentResult.Deployed deployed = null;
        JsonNode deployedNode = root.get("deployed");
        if (deployedNode != null && !deployedNode.isNull()) {
            String environment = deployedNode.path("environment").asText(null);
            String state = deployedNode.path("state").asText(null);
            if (ENVIRONMENTS.contains(environment) && DEPLOY_STATES.contains(state)) {
                deployed = new AgentResult.Deployed(environment, state);
            } else {
                warnings.add("deployed: must be {environment: staging|production, state: pending|success|failure}");
            }
        }
        BigDecimal cost = nonNegative(decimal(root, "costUsd", "costUsd", warnings), "costUsd", warnings);
        Long in = nonNegative(count(root, "tokensIn", "tokensIn", warnings), "tokensIn", warnings);
        Long out = nonNegative(count(root, "tokensOut", "tokensOut", warnings), "tokensOut", warnings);
        return new AgentResult(cost, in, out, string(root, "model", "model", warnings),
                summary(string(root, "summary", "summary", warnings)), pr, coverage, approved, deployed,
                List.copyOf(warnings));
    }

    static AgentResult claude(JsonNode root) {
        List<String> warnings = new ArrayList<>();
        BigDecimal cost = nonNegative(decimal(root, "total_cost_usd", "total_cost_usd", warnings), "total_cost_usd",
                warnings);
        JsonNode usage = root.path("usage");
        Long in = usage.isObject() ? nonNegative(count(usage, "input_tokens", "usage.input_tokens", warnings),
                "usage.input_tokens", warnings) : null;
        Long out = usage.isObject() ? nonNegative(count(usage, "output_tokens", "usage.output_tokens", warnings),
                "usage.output_tokens", warnings) : null;
        String model = null;
        JsonNode models = root.path("modelUsage");
        if (models.isObject() && models.fieldNames().hasNext()) {
            model = models.fieldNames().next();
        }
        return new AgentResult(cost, in, out, model, summary(string(root, "result", "result", warnings)), null, null,
                null, null, List.copyOf(warnings));
    }

    private static String summary(String text) {
        return text == null || text.length() <= MAX_SUMMARY ? text : text.substring(0, MAX_SUMMARY) + "…";
    }

    private static String string(JsonNode node, String field, String name, List<String> warnings) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            warnings.add(name + ": must be a string, not " + value.getNodeType().toString().toLowerCase());
            return null;
        }
        return value.asText();
    }

    private static BigDecimal decimal(JsonNode node, String field, String name, List<String> warnings) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            warnings.add(name + ": must be a number, not " + value.getNodeType().toString().toLowerCase());
            return null;
        }
        return value.decimalValue();
    }

    private static Long count(JsonNode node, String field, String name, List<String> warnings) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            warnings.add(name + ": must be a whole number, not " + value);
            return null;
        }
        return value.asLong();
    }

    private static <N extends Number & Comparable<N>> N nonNegative(N value, String name, List<String> warnings) {
        if (value != null && value.doubleValue() < 0) {
            warnings.add(name + ": must be >= 0");
            return null;
        }
        return value;
    }
}
