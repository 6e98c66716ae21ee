package dev.baton.infra;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One trace as text, one span per line, children indented under their parents: name, kind, service,
 * span id, parent id and the {@code baton.*} and {@code outcome} attributes. What docs/operations.md
 * shows, from the tests' captured spans and from the local stack's collector alike.
 */
public final class SpanTree {

    /** A finished span, as much of it as the text shows. */
    public record Span(String traceId, String spanId, String parentSpanId, String name, String kind, String service,
                       Map<String, String> attributes) {
    }

    private SpanTree() {
    }

    public static String render(String traceId, List<Span> trace) {
        Map<String, List<Span>> children = trace.stream().collect(Collectors.groupingBy(Span::parentSpanId));
        StringBuilder text = new StringBuilder("trace " + traceId + "\n");
        trace.stream().filter(s -> trace.stream().noneMatch(p -> p.spanId().equals(s.parentSpanId())))
                .forEach(root -> render(root, children, 0, text));
        return text.toString();
    }

    private static void render(Span span, Map<String, List<Span>> children, int depth, StringBuilder text) {
        String attributes = span.attributes().entrySet().stream()
                .filter(e -> e.getKey().startsWith("baton.") || e.getKey().equals("outcome"))
                .map(e -> e.getKey() + "=" + e.getValue()).sorted().collect(Collectors.joining(" "));
        text.append("  ".repeat(depth)).append(span.name()).append(" [").append(span.kind()).append(", ")
                .append(span.service()).append("] span=").append(span.spanId()).append(" parent=")
                .append(span.parentSpanId()).append(attributes.isEmpty() ? "" : " " + attributes).append('\n');
        children.getOrDefault(span.spanId(), List.of()).forEach(child -> render(child, children, depth + 1, text));
    }
}
