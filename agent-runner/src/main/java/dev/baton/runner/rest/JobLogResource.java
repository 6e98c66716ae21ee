package dev.baton.runner.rest;

import dev.baton.runner.job.RunnerService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.Map;

/** What an agent printed, for a person watching a job, and the runner itself. */
@Path("/")
public class JobLogResource {

    private final RunnerService runner;

    public JobLogResource(RunnerService runner) {
        this.runner = runner;
    }

    @GET
    @Path("jobs/{id}/log")
    @Produces({MediaType.TEXT_PLAIN, "application/problem+json"})
    @Operation(summary = "The last 64 KiB of a running or recently finished job's output (stdout and stderr)")
    public Response log(@PathParam("id") long id) {
        return runner.tail(id).map(tail -> Response.ok(tail, MediaType.TEXT_PLAIN_TYPE).build())
                .orElseGet(() -> Response.status(404).type("application/problem+json").entity(Map.of(
                        "type", "about:blank", "title", "Not Found", "status", 404,
                        "detail", "job " + id + " has not run on this runner lately")).build());
    }

    @GET
    @Path("runner")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "This runner: id, boot id, stages served, jobs running")
    public Map<String, Object> self() {
        return Map.of("bootId", runner.bootId(), "stages", runner.stages(), "running", runner.runningJobs(),
                "registered", runner.registered());
    }
}
