package dev.baton.stage.console;

import dev.baton.stage.ProblemException;
import dev.baton.stage.console.ConsoleSessions.Session;
import dev.baton.stage.effect.InDoubtDecision;
import dev.baton.stage.inbound.DeadLetterReplay;
import dev.baton.stage.rest.OperatorAuth;
import dev.baton.stage.rest.TaskResource;
import dev.baton.stage.recovery.ForceReleaseService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The operator console: server-rendered pages (Qute escapes every value), htmx for the board's
 * partial refresh, server-sent events when something commits. Reading needs a console session;
 * every action is a POST carrying the session's CSRF token, needs the admin role, and calls the
 * same protocol class as the matching REST endpoint.
 */
@Path("/console")
public class ConsoleResource {

    private static final Logger LOG = Logger.getLogger(ConsoleResource.class);
    /** Scripts and styles only from this origin; no inline script runs even if something slipped through. */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    @CheckedTemplate(basePath = "console")
    static class Templates {
        static native TemplateInstance login(String error);

        static native TemplateInstance board(ConsoleViews.Board board, Session session, String lang);

        static native TemplateInstance boardColumns(ConsoleViews.Board board, Session session, String lang);

        static native TemplateInstance item(ConsoleViews.Item item, Session session, String lang, String notice);

        static native TemplateInstance leases(List<ConsoleViews.LeaseView> leases,
                                              List<ConsoleViews.AlertRow> alerts, Session session, String lang,
                                              String notice);

        static native TemplateInstance release(ConsoleViews.LeaseView lease, Session session, String lang);

        static native TemplateInstance attention(ConsoleViews.Attention attention, List<ConsoleViews.AlertRow> alerts,
                                                 Session session, String lang, String notice);

        static native TemplateInstance runners(List<ConsoleViews.RunnerRow> runners, Session session, String lang);
    }

    private final ConsoleService console;
    private final ConsoleSessions sessions;
    private final OperatorAuth auth;
    private final ConsoleFeed feed;
    private final ForceReleaseService releases;
    private final InDoubtDecision decisions;
    private final DeadLetterReplay replays;

    public ConsoleResource(ConsoleService console, ConsoleSessions sessions, OperatorAuth auth, ConsoleFeed feed,
                           ForceReleaseService releases, InDoubtDecision decisions, DeadLetterReplay replays) {
        this.console = console;
        this.sessions = sessions;
        this.auth = auth;
        this.feed = feed;
        this.releases = releases;
        this.decisions = decisions;
        this.replays = replays;
    }

    // ---- session ----------------------------------------------------------------------------

    @GET
    @Path("login")
    @Operation(hidden = true)
    public Uni<Response> loginPage() {
        return html(200, Templates.login(null));
    }

    /** The token travels only in this form's body; the answer sets a cookie that never shows it. */
    @POST
    @Path("login")
    @Operation(hidden = true)
    public Uni<Response> login(@FormParam("token") String token, @Context UriInfo uri) {
        Optional<String> cookie = auth.roleOf(token == null ? null : token.strip()).flatMap(sessions::issue);
        if (cookie.isEmpty()) {
            LOG.info("console login refused: the token matches no configured operator token");
            return html(401, Templates.login("That token is not valid here."));
        }
        return Uni.createFrom().item(Response.seeOther(URI.create("/console"))
                .header("Set-Cookie", cookie(cookie.get(), sessions.maxAgeSeconds(), uri)).build());
    }

    @POST
    @Path("logout")
    @Operation(hidden = true)
    public Response logout(@CookieParam(ConsoleSessions.COOKIE) String cookie, @FormParam("csrf") String csrf,
                           @Context UriInfo uri) {
        reader(cookie).filter(s -> s.csrfMatches(csrf)).orElseThrow(ConsoleResource::forbidden);
        return Response.seeOther(URI.create("/console/login")).header("Set-Cookie", cookie("", 0, uri)).build();
    }

    // ---- pages ------------------------------------------------------------------------------

    @GET
    @Operation(hidden = true)
    public Uni<Response> board(@CookieParam(ConsoleSessions.COOKIE) String cookie,
                               @HeaderParam(HttpHeaders.ACCEPT_LANGUAGE) String languages) {
        return page(cookie, session -> console.board(lang(languages))
                .flatMap(board -> html(200, Templates.board(board, session, lang(languages)))));
    }

    /** The board's columns alone: what htmx swaps in when the event stream says something committed. */
    @GET
    @Path("board")
    @Operation(hidden = true)
    public Uni<Response> columns(@CookieParam(ConsoleSessions.COOKIE) String cookie,
                                 @HeaderParam(HttpHeaders.ACCEPT_LANGUAGE) String languages,
                                 @HeaderParam("HX-Request") String htmx) {
        if (reader(cookie).isEmpty() && "true".equals(htmx)) {
            // An expired session under a live board: htmx would swap a followed redirect's login page
            // into the board, so it is told to navigate there instead.
            return Uni.createFrom().item(Response.status(401).header("HX-Redirect", "/console/login").build());
        }
        return page(cookie, session -> console.board(lang(languages))
                .flatMap(board -> html(200, Templates.boardColumns(board, session, lang(languages)))));
    }

    @GET
    @Path("items/{id}")
    @Operation(hidden = true)
    public Uni<Response> item(@PathParam("id") String id, @QueryParam("notice") String notice,
                              @CookieParam(ConsoleSessions.COOKIE) String cookie,
                              @HeaderParam(HttpHeaders.ACCEPT_LANGUAGE) String languages) {
        return page(cookie, session -> console.item(TaskResource.taskId(id), lang(languages))
                .flatMap(item -> html(200, Templates.item(item, session, lang(languages), notice))));
    }

    @GET
    @Path("leases")
    @Operation(hidden = true)
    public Uni<Response> leases(@QueryParam("notice") String notice,
                                @CookieParam(ConsoleSessions.COOKIE) String cookie,
                                @HeaderParam(HttpHeaders.ACCEPT_LANGUAGE) String languages) {
        return page(cookie, session -> console.leases().flatMap(all -> console.recentAlerts()
                .flatMap(alerts -> html(200, Templates.leases(all, alerts, session, lang(languages), notice)))));
    }

    /** The confirmation: who holds the lease and what it was doing, before anyone presses the button. */
    @GET
    @Path("leases/{id}/release")
    @Operation(hidden = true)
    public Uni<Response> confirmRelease(@PathParam("id") String id,
                                       @CookieParam(ConsoleSessions.COOKIE) String cookie,
                                       @HeaderParam(HttpHeaders.ACCEPT_LANGUAGE) String languages) {
        return page(cookie, session -> console.lease(TaskResource.taskId(id))
                .flatMap(lease -> html(200, Templates.release(lease, session, lang(languages)))));
    }

    @GET
    @Path("attention")
    @Operation(hidden = true)
    public Uni<Response> attention(@QueryParam("notice") String notice,
                                   @CookieParam(ConsoleSessions.COOKIE) String cookie,
                                   @HeaderParam(HttpHeaders.ACCEPT_LANGUAGE) String languages) {
        return page(cookie, session -> console.attention().flatMap(attention -> console.recentAlerts()
                .flatMap(alerts -> html(200,
                        Templates.attention(attention, alerts, session, lang(languages), notice)))));
    }

    @GET
    @Path("runners")
    @Operation(hidden = true)
    public Uni<Response> runners(@CookieParam(ConsoleSessions.COOKIE) String cookie,
                                 @HeaderParam(HttpHeaders.ACCEPT_LANGUAGE) String languages) {
        return page(cookie, session -> console.runners()
                .flatMap(runners -> html(200, Templates.runners(runners, session, lang(languages)))));
    }

    /** One event named {@code change} each time a commit lands; the board refreshes its columns on it. */
    @GET
    @Path("events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    @Operation(hidden = true)
    public Multi<OutboundSseEvent> events(@CookieParam(ConsoleSessions.COOKIE) String cookie, @Context Sse sse) {
        reader(cookie).orElseThrow(() -> new ProblemException(401, "Unauthorized", "log in at /console/login"));
        return feed.changes().map(head -> sse.newEventBuilder().name("change").data(String.valueOf(head)).build());
    }

    // ---- actions: POST, CSRF token, admin role, the protocol's own classes -------------------

    @POST
    @Path("leases/{id}/release")
    @Operation(hidden = true)
    public Uni<Response> release(@PathParam("id") String id, @FormParam("reason") String reason,
                                 @FormParam("csrf") String csrf, @CookieParam(ConsoleSessions.COOKIE) String cookie) {
        actor(cookie, csrf);
        String task = TaskResource.taskId(id);
        String why = reason == null || reason.isBlank() ? "" : ": " + reason.strip();
        return releases.forceRelease(task, "force-released from the console" + why)
                .map(released -> released.orElseThrow(() -> ProblemException.notFound(
                        "no transition lease for " + task)))
                .map(released -> seeOther("/console/leases", "released the lease of " + task + " (token "
                        + released.token() + ", held by " + released.ownerActor() + "); alert LeaseReclaimed raised"));
    }

    @POST
    @Path("items/{id}/effects/{effect}/decision")
    @Operation(hidden = true)
    public Uni<Response> decide(@PathParam("id") String id, @PathParam("effect") String effect,
                                @FormParam("decision") String decision, @FormParam("reason") String reason,
                                @FormParam("csrf") String csrf, @CookieParam(ConsoleSessions.COOKIE) String cookie) {
        actor(cookie, csrf);
        String task = TaskResource.taskId(id);
        return decisions.decide(task, effect, InDoubtDecision.Decision.of(decision), reason)
                .map(decided -> seeOther("/console/items/" + task, "effect " + effect + " marked "
                        + decided.decision() + "; the next transition acts on it"));
    }

    @POST
    @Path("inbound/{eventId}/replay")
    @Operation(hidden = true)
    public Uni<Response> replay(@PathParam("eventId") String eventId, @FormParam("reason") String reason,
                                @FormParam("csrf") String csrf, @CookieParam(ConsoleSessions.COOKIE) String cookie) {
        actor(cookie, csrf);
        return replays.replay(eventId, reason).map(replayed -> seeOther("/console/attention",
                "replayed " + replayed.eventType() + " for " + replayed.workItem() + ": now " + replayed.status()
                        + (replayed.outcome() == null ? "" : " (" + replayed.outcome() + ")")));
    }

    // ---- helpers ----------------------------------------------------------------------------

    private Optional<Session> reader(String cookie) {
        return sessions.verify(cookie);
    }

    /** An action: a session, its CSRF token, and the admin role — or 403 with nothing done. */
    private void actor(String cookie, String csrf) {
        Session session = reader(cookie).orElseThrow(ConsoleResource::forbidden);
        if (!session.csrfMatches(csrf)) {
            throw new ProblemException(403, "Forbidden", "missing or wrong CSRF token; reload the page and retry");
        }
        if (!session.admin()) {
            throw new ProblemException(403, "Forbidden", "acting needs the admin token; this session can only read");
        }
    }

    private static ProblemException forbidden() {
        return new ProblemException(403, "Forbidden", "no valid console session; log in at /console/login");
    }

    /** A page for a session, or the way to the login form. */
    private Uni<Response> page(String cookie, java.util.function.Function<Session, Uni<Response>> render) {
        Optional<Session> session = reader(cookie);
        if (session.isEmpty()) {
            return Uni.createFrom().item(Response.seeOther(URI.create("/console/login")).build());
        }
        long started = System.nanoTime();
        return render.apply(session.get()).map(response -> Response.fromResponse(response)
                .header("Server-Timing", "app;dur=" + (System.nanoTime() - started) / 100_000 / 10.0).build());
    }

    /**
     * The page rendered on a worker thread: Qute renders synchronously, and the board with a
     * thousand items is tens of milliseconds of CPU (seconds under load) an event loop must not spend.
     */
    private static Uni<Response> html(int status, TemplateInstance template) {
        return template.createUni().runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).map(body -> Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(body)
                .header("Content-Security-Policy", CSP)
                .header("Cache-Control", "no-store")
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "same-origin")
                .build());
    }

    private static Response seeOther(String path, String notice) {
        return Response.seeOther(jakarta.ws.rs.core.UriBuilder.fromPath(path).queryParam("notice", notice).build())
                .build();
    }

    /** HttpOnly and SameSite=Strict always; Secure when the console is reached over HTTPS. */
    private static String cookie(String value, long maxAge, UriInfo uri) {
        boolean https = "https".equalsIgnoreCase(uri.getRequestUri().getScheme());
        return ConsoleSessions.COOKIE + "=" + value + "; Path=/console; Max-Age=" + maxAge
                + "; HttpOnly; SameSite=Strict" + (https ? "; Secure" : "");
    }

    /** {@code ru} when the browser prefers Russian over English, else {@code en}. */
    static String lang(String acceptLanguage) {
        if (acceptLanguage == null) {
            return "en";
        }
        for (String range : acceptLanguage.split(",")) {
            String tag = range.split(";")[0].strip().toLowerCase(Locale.ROOT);
            if (tag.startsWith("ru")) {
                return "ru";
            }
            if (tag.startsWith("en")) {
                return "en";
            }
        }
        return "en";
    }
}
