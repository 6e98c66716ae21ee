package dev.baton.stage.rest;

import dev.baton.stage.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Sweep turns for the periodic actors' replicas: at most one sweep of a name per interval.
 * Not a lock on correctness (claims and the lease are); it keeps N replicas from doing N sweeps.
 */
@Path("/sweeps")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SweepResource {

    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,40}");
    /** Granted iff nobody took this sweep within the interval: one self-checking upsert. */
    static final String CLAIM = """
            INSERT INTO stage.sweep (name, holder, claimed_at) VALUES ($1, $2, now())
            ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, claimed_at = now()
            WHERE stage.sweep.claimed_at <= now() - make_interval(secs => $3)
            RETURNING holder""";

    /** {@code POST /sweeps/{name}/claim}. */
    public record SweepClaim(String holder, Double intervalS) {
    }

    private final Pool pool;

    public SweepResource(Pool pool) {
        this.pool = pool;
    }

    @POST
    @Path("{name}/claim")
    @Operation(summary = "Take this interval's turn of a periodic sweep: granted true for one replica per interval")
    public Uni<Map<String, Object>> claim(@PathParam("name") String name, SweepClaim body) {
        if (!NAME.matcher(name).matches()) {
            throw ProblemException.badRequest("sweep name must match " + NAME.pattern());
        }
        if (body == null || body.intervalS() == null || body.intervalS() <= 0) {
            throw ProblemException.badRequest("a JSON body {holder, intervalS > 0} is required");
        }
        String holder = TaskResource.required("holder", body.holder());
        return pool.preparedQuery(CLAIM).execute(Tuple.of(name, holder, body.intervalS() * 0.9))
                .map(rows -> Map.of("sweep", name, "granted", rows.rowCount() == 1, "holder", holder));
    }
}
