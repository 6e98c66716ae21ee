package dev.baton.stage;

/** A request Baton refuses, answered as {@code application/problem+json} with this status. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;

    public ProblemException(int status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
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
}
