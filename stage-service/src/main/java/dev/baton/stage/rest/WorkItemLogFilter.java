package dev.baton.stage.rest;

import dev.baton.common.tracing.BatonSpans;
import io.opentelemetry.api.trace.Span;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A request about one work item ({@code /tasks/{id}/...}, {@code /leases/{id}/...}) names it in the
 * MDC, so every line logged while serving it carries {@code workItem}: the request's own Vert.x
 * context holds the MDC, so concurrent requests never see each other's. The request's span (current
 * here) gets it as {@code baton.work_item} too, so a trace is found by the work item.
 */
public class WorkItemLogFilter {

    @ServerRequestFilter
    public void nameTheWorkItem(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        String id = request.getUriInfo().getPathParameters().getFirst("id");
        if (id != null && (path.startsWith("/tasks/") || path.startsWith("/leases/"))) {
            MDC.put("workItem", id);
            Span.current().setAttribute(BatonSpans.WORK_ITEM, id);
        }
    }
}
