package dev.baton.notifier.tracing;

import dev.baton.notifier.config.TelegramConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.inject.Singleton;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keeps the bot token out of every span. The Bot API puts it in the path ({@code /bot<token>/sendMessage}),
 * and the REST client's automatic span records the request URL ({@code url.full}, {@code http.url}
 * in the older conventions) when the span starts: this processor, which quarkus-opentelemetry runs
 * on every span as it starts, rewrites any string attribute (and the name) that holds the token,
 * before any exporter can see it. Both the configured token (plain and URL-encoded) and anything in
 * a {@code /bot...} path segment are replaced, so a token that changed since start is caught too.
 */
@Singleton
public class BotTokenRedaction implements SpanProcessor {

    static final String REDACTED = "<token>";
    private static final Pattern BOT_SEGMENT = Pattern.compile("/bot[^/?#\\s]+");

    private final String token;
    private final String encoded;

    public BotTokenRedaction(TelegramConfig config) {
        this.token = config.botToken().filter(t -> !t.isBlank()).orElse(null);
        this.encoded = token == null ? null : URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    /** {@code text} without the token. */
    String redact(String text) {
        if (text == null) {
            return null;
        }
        String clean = text;
        if (token != null) {
            clean = clean.replace(token, REDACTED).replace(encoded, REDACTED);
        }
        return BOT_SEGMENT.matcher(clean).replaceAll("/bot" + REDACTED);
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        String name = redact(span.getName());
        if (!name.equals(span.getName())) {
            span.updateName(name);
        }
        for (Map.Entry<AttributeKey<?>, Object> entry : span.getAttributes().asMap().entrySet()) {
            if (entry.getKey().getType() == AttributeType.STRING) {
                String value = (String) entry.getValue();
                String clean = redact(value);
                if (!clean.equals(value)) {
                    span.setAttribute(AttributeKey.stringKey(entry.getKey().getKey()), clean);
                }
            }
        }
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }
}
