package dev.baton.stage;

import java.time.Duration;
import java.util.Optional;

/** A request Baton refuses, answered as {@code application/problem+json} with this status. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    /** Sent as {@code Retry-After} (whole seconds); null sends none. */
    private final Duration retryAfter;

    public ProblemException(int status, String title, String detail) {
        this(status, title, detail, null);
    }

    private ProblemException(int status, String title, String detail, Duration retryAfter) {
        super(detail);
        this.status = status;
        this.title = title;
        this.retryAfter = retryAfter;
    }

    /** 503 with {@code Retry-After}: this instance cannot take the request now, another one (or this one later) can. */
    public static ProblemException unavailable(String detail, Duration retryAfter) {
        return new ProblemException(503, "Service Unavailable", detail, retryAfter);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not Found", detail);
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "Bad Request", detail);
    }

    public static ProblemException unprocessable(String detail) {
        return new ProblemException(422, "Unprocessable Entity", detail);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** What to send as {@code Retry-After}, if anything. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
