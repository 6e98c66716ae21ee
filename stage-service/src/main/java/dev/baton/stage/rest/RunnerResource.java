package dev.baton.stage.rest;

import dev.baton.stage.ProblemException;
import dev.baton.stage.job.JobRepository;
import dev.baton.stage.job.JobService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.Map;

/** Agent runners register here at start. */
@Path("/runners")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RunnerResource {

    /** {@code POST /runners}. */
    public record RegisterRunner(String runnerId, String bootId) {
    }

    private final JobService jobs;

    public RunnerResource(JobService jobs) {
        this.jobs = jobs;
    }

    @POST
    @Operation(summary = "A runner registers at start with a fresh boot id; its previous boot's unfinished jobs are requeued")
    public Uni<Map<String, Object>> register(RegisterRunner body) {
        if (body == null) {
            throw ProblemException.badRequest("a JSON body {runnerId, bootId} is required");
        }
        String runnerId = TaskResource.required("runnerId", body.runnerId());
        String bootId = TaskResource.required("bootId", body.bootId());
        return jobs.registerRunner(runnerId, bootId).map(requeued -> Map.of("runnerId", runnerId, "bootId", bootId,
                "requeued", requeued.stream().map(JobRepository.Requeued::id).toList()));
    }

}
