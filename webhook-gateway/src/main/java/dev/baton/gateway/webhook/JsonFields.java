package dev.baton.gateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Null-tolerant reads from a webhook's JSON tree: senders omit fields freely across versions. */
final class JsonFields {

    private JsonFields() {
    }

    /** The node at {@code path}, or null when any step is missing or JSON null. */
    static JsonNode at(JsonNode node, String... path) {
        JsonNode current = node;
        for (String step : path) {
            if (current == null || !current.isObject()) {
                return null;
            }
            current = current.get(step);
        }
        return current == null || current.isNull() || current.isMissingNode() ? null : current;
    }

    /** A scalar at {@code path} as text (numbers and booleans too), or null; blank counts as absent. */
    static String text(JsonNode node, String... path) {
        JsonNode value = at(node, path);
        if (value == null || !value.isValueNode()) {
            return null;
        }
        String text = value.asText();
        return text.isBlank() ? null : text;
    }

    static Long number(JsonNode node, String... path) {
        JsonNode value = at(node, path);
        if (value != null && value.isIntegralNumber()) {
            return value.longValue();
        }
        if (value != null && value.isTextual()) {
            try {
                return Long.parseLong(value.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    static boolean flag(JsonNode node, String... path) {
        JsonNode value = at(node, path);
        return value != null && value.asBoolean(false);
    }

    /** An ISO-8601 instant at {@code path}, else {@code fallback}. */
    static Instant instant(JsonNode node, Instant fallback, String... path) {
        String text = text(node, path);
        if (text == null) {
            return fallback;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException again) {
                return fallback;
            }
        }
    }
}
