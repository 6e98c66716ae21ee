package dev.baton.stage.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.stage.ProblemException;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every refusal is {@code application/problem+json} (RFC 9457), never an HTML page or a stack trace. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    public static final String PROBLEM_JSON = "application/problem+json";

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        Response problem = problem(e.status(), e.title(), e.getMessage(), uri);
        return e.retryAfter().map(after -> Response.fromResponse(problem)
                .header("Retry-After", Math.max(1, after.toSeconds())).build()).orElse(problem);
    }

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e, UriInfo uri) {
        return problem(400, "Bad Request", "malformed JSON: " + e.getOriginalMessage(), uri);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        Throwable cause = e.getCause();
        String detail = cause instanceof JsonProcessingException json ? "malformed JSON: " + json.getOriginalMessage()
                : e.getMessage();
        return problem(status, e.getResponse().getStatusInfo().getReasonPhrase(), detail, uri);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, UriInfo uri) {
        LOG.error("unexpected failure on " + uri.getPath(), e);
        return problem(500, "Internal Server Error", "unexpected failure; see the service log", uri);
    }

    public static Response problem(int status, String title, String detail, UriInfo uri) {
        JsonObject body = new JsonObject().put("type", "about:blank").put("title", title).put("status", status)
                .put("detail", detail);
        if (uri != null) {
            body.put("instance", uri.getPath());
        }
        return Response.status(status).type(PROBLEM_JSON).entity(body.encode()).build();
    }
}
