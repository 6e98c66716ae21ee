package dev.baton.stage.plane;

import dev.baton.stage.config.PlaneConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Plane calls of the sync, translated: done, retry later (429, 5xx, no answer), or refused.
 * A 409 on the comment means it exists already (a repeat): done. A {@code Retry-After} on a
 * retry-later answer is passed on, so the next attempt waits at least that long.
 */
@ApplicationScoped
public class PlaneClient {

    /** What a call established. */
    public enum Answer { DONE, RETRY, REFUSED }

    /** An answer and Plane's {@code Retry-After} (zero when it sent none). */
    public record Reply(Answer answer, Duration retryAfter) {

        static final Reply DONE = new Reply(Answer.DONE, Duration.ZERO);
    }

    private final PlaneRestClient plane;
    private final PlaneConfig config;

    public PlaneClient(@RestClient PlaneRestClient plane, PlaneConfig config) {
        this.plane = plane;
        this.config = config;
    }

    public Uni<Reply> setState(String project, String item, String stateId) {
        return call(plane.setState(config.workspace(), project, item, key(), new PlaneRestClient.StatePatch(stateId)));
    }

    public Uni<Reply> comment(String project, String item, String html, String externalId) {
        return call(plane.comment(config.workspace(), project, item, key(),
                new PlaneRestClient.Comment(html, "baton", externalId)));
    }

    private Uni<Reply> call(Uni<Response> call) {
        return call.onFailure(WebApplicationException.class)
                .recoverWithItem(e -> ((WebApplicationException) e).getResponse())
                .ifNoItem().after(Duration.ofSeconds(20)).fail()
                .map(response -> {
                    int status = response.getStatus();
                    if (status < 300 || status == 409) {
                        return Reply.DONE;
                    }
                    return status == 429 || status >= 500
                            ? new Reply(Answer.RETRY, retryAfter(response.getHeaderString("Retry-After")))
                            : new Reply(Answer.REFUSED, Duration.ZERO);
                })
                .onFailure().recoverWithItem(new Reply(Answer.RETRY, Duration.ZERO));
    }

    /** {@code Retry-After} in seconds (what Plane sends) or as an HTTP date; zero when absent or unreadable. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return Duration.ZERO;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(Instant.now(), ZonedDateTime.parse(header.trim(),
                        DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notADate) {
                return Duration.ZERO;
            }
        }
    }

    private String key() {
        return config.apiKey().orElse("");
    }
}
