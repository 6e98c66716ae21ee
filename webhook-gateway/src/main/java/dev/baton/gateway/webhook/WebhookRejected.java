package dev.baton.gateway.webhook;

/**
 * A delivery refused with a 4xx (or 503 when the broker did not acknowledge in time); answered as
 * {@code application/problem+json}. {@code reason} is a fixed metric tag, never input text.
 */
public class WebhookRejected extends RuntimeException {

    private final int status;
    private final String title;
    private final String reason;

    public WebhookRejected(int status, String title, String reason, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.reason = reason;
    }

    public static WebhookRejected unauthorized(String reason, String detail) {
        return new WebhookRejected(401, "Unauthorized", reason, detail);
    }

    public static WebhookRejected badRequest(String reason, String detail) {
        return new WebhookRejected(400, "Bad Request", reason, detail);
    }

    public static WebhookRejected tooLarge(int limit) {
        return new WebhookRejected(413, "Content Too Large", "too-large", "body is larger than " + limit + " bytes");
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String reason() {
        return reason;
    }
}
