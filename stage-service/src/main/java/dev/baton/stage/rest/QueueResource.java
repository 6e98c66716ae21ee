package dev.baton.stage.rest;

import dev.baton.stage.job.Job;
import dev.baton.stage.job.JobRepository;
import dev.baton.stage.lease.Lease;
import dev.baton.stage.lease.LeaseRepository;
import dev.baton.stage.task.TaskRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;
import java.util.Map;

/** What is in flight: tasks per stage, open jobs, and every transition lease with its owner's liveness. */
@Path("/queue")
@Produces(MediaType.APPLICATION_JSON)
public class QueueResource {

    /** One lease as operators read it. */
    public record LeaseView(String workItem, String ownerActor, String ownerInstance, long ownerPid, String ownerHost,
                            String from, String to, long token, long ageS, boolean live) {

        static LeaseView of(Lease lease) {
            return new LeaseView(lease.taskId(), lease.ownerActor(), lease.ownerInstance().toString(),
                    lease.ownerPid(), lease.ownerHost(), lease.from(), lease.to(), lease.token(), lease.ageSeconds(),
                    lease.live());
        }
    }

    /** The queue snapshot: tasks per stage, queued and running jobs, leases. */
    public record QueueView(Map<String, Long> stages, List<Job> jobs, List<LeaseView> transitionLease) {
    }

    private final Pool pool;
    private final TaskRepository tasks;
    private final LeaseRepository leases;
    private final JobRepository jobs;

    public QueueResource(Pool pool, TaskRepository tasks, LeaseRepository leases, JobRepository jobs) {
        this.pool = pool;
        this.tasks = tasks;
        this.leases = leases;
        this.jobs = jobs;
    }

    @GET
    @Operation(summary = "Tasks per stage, queued and running jobs, and the transition leases (owner, age, live)")
    public Uni<QueueView> get() {
        return pool.withConnection(connection -> tasks.countByStage(connection)
                .flatMap(stages -> jobs.open(connection).flatMap(open -> leases.all(connection)
                        .map(all -> new QueueView(stages, open, all.stream().map(LeaseView::of).toList())))));
    }
}
