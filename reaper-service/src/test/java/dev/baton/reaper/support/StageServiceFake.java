package dev.baton.reaper.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.baton.infra.fake.NamedTransformer;
import dev.baton.infra.fake.OutsideCredentials;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * WireMock as stage-service (and Gitea, on the {@code /api/v1} paths), answering in
 * stage-service's wire format (the records of {@code JobResource}, {@code SweepResource},
 * {@code FactsResource}, {@code TaskResource}). Two endpoints are small state machines rather
 * than fixed stubs, because the reaper's safety rests on their semantics:
 * <ul>
 *   <li>{@code POST /jobs/{id}/claim} is a CAS like {@code JobRepository.claim}: the first claim
 *       of a job wins (200 {@code won}), every later one loses (409 {@code lost}, with the
 *       winner's status). Thread-safe, so racing replicas really race.</li>
 *   <li>{@code POST /sweeps/{name}/claim} grants like {@code SweepResource.CLAIM}: iff no grant of
 *       that name within 0.9 × intervalS — on the test's clock instead of PostgreSQL's.</li>
 *   <li>{@code GET /tasks?active=true} and the transitions of tasks registered with
 *       {@link #task} form a stage CAS like {@code TransitionService}: {@code from} matches →
 *       200 {@code advanced} (the task moves), already at {@code to} → 200 {@code already},
 *       else 409 {@code conflict}; {@link #deferNext} makes the next requests meet a live lease
 *       (409 {@code deferred} with the owner), {@link #refuse} a pipeline refusal (422 problem).
 *       Field names and answers are checked on the real service by stage-service's
 *       {@code ReconcilerViewTest}.</li>
 * </ul>
 */
public class StageServiceFake implements QuarkusTestResourceLifecycleManager {

    public static final String ADMIN_TOKEN = "test-admin-SECRET-token";

    private static WireMockServer server;
    private static final JobClaims CLAIMS = new JobClaims();
    private static final SweepTurns SWEEPS = new SweepTurns();
    private static final Tasks TASKS = new Tasks();
    /** The Plane state id each stage is mirrored to, as {@code GET /pipeline}'s {@code planeStates}. */
    public static final Map<String, String> PLANE_STATES = planeStates();
    public static final String PLANE_KEY = "test-plane-SECRET-key";
    /** Gitea and Plane calls without their credentials get those services' 401 ({@link OutsideCredentials}). */
    public static final String GITEA_TOKEN = "test-gitea-token";
    public static final String PLANE_ITEMS = "/api/v1/workspaces/acme/projects/";

    @Override
    public Map<String, String> start() {
        WireMockServer wm = server();
        Map<String, String> config = new HashMap<>();
        config.put("baton.stage-service.url", wm.baseUrl());
        config.put("baton.gitea.url", wm.baseUrl());
        config.put("baton.gitea.token", GITEA_TOKEN);
        config.put("baton.admin.token", ADMIN_TOKEN);
        config.put("baton.stage-service.backoff", "10ms");
        config.put("baton.stage-service.timeout", "3s");
        config.put("quarkus.rest-client.stage-service.read-timeout", "3000");
        config.put("quarkus.rest-client.gitea.read-timeout", "3000");
        config.put("baton.plane.url", wm.baseUrl());
        config.put("baton.plane.api-key", PLANE_KEY);
        config.put("baton.plane.workspace", "acme");
        config.put("baton.reconciler.plane-timeout", "1s");
        config.put("quarkus.rest-client.plane.read-timeout", "3000");
        // Tests drive the sweeps themselves; no background sweep may add calls to the counts.
        config.put("quarkus.scheduler.enabled", "false");
        return config;
    }

    @Override
    public void stop() {
        // Shared by every test class of this JVM.
    }

    public static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
                    .extensions(CLAIMS, SWEEPS, TASKS, new OutsideCredentials(GITEA_TOKEN, PLANE_KEY)));
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        }
        return server;
    }

    /** Forget every stub, request, claim and sweep grant; install the defaults. */
    public static void reset(Clock clock) {
        WireMockServer wm = server();
        wm.resetAll();
        CLAIMS.won.clear();
        SWEEPS.clock = clock;
        SWEEPS.lastGrant.clear();
        SWEEPS.supported.set(true);
        TASKS.stages.clear();
        TASKS.deferrals.clear();
        TASKS.refusals.clear();
        TASKS.syncs.clear();
        wm.stubFor(get(urlPathEqualTo("/pipeline")).atPriority(10).willReturn(okJson(builtInPipeline())));
        wm.stubFor(get(urlPathEqualTo("/tasks")).atPriority(10)
                .willReturn(aResponse().withTransformers(Tasks.NAME)));
        wm.stubFor(post(urlPathMatching("/jobs/[0-9]+/claim")).atPriority(10)
                .willReturn(aResponse().withTransformers(JobClaims.NAME)));
        wm.stubFor(post(urlPathMatching("/sweeps/[a-z0-9-]+/claim")).atPriority(10)
                .willReturn(aResponse().withTransformers(SweepTurns.NAME)));
        wm.stubFor(post(urlPathMatching("/tasks/[^/]+/transitions")).atPriority(10)
                .willReturn(okJson("{\"outcome\":\"advanced\",\"version\":2,\"token\":7}")));
        wm.stubFor(post(urlPathMatching("/tasks/[^/]+/deploy-status")).atPriority(10)
                .willReturn(aResponse().withStatus(204)));
        wm.stubFor(post(urlPathEqualTo("/transition-lease/release")).atPriority(10)
                .willReturn(okJson("{\"released\":true}")));
    }

    /** stage-service without {@code /sweeps} (an older version): the route answers 404. */
    public static void withoutSweepEndpoint() {
        SWEEPS.supported.set(false);
    }

    /**
     * A task mirrored in Plane (work item {@code item-<id>} of project {@code proj-1}), whose
     * transitions go through the stage CAS; its newest Plane sync is {@code done}.
     */
    public static void task(String id, String stage) {
        TASKS.stages.put(id, stage);
        server().stubFor(post(urlPathEqualTo("/tasks/" + id + "/transitions")).atPriority(5)
                .willReturn(aResponse().withTransformers(Tasks.NAME)));
    }

    /** The registered task's stage now. */
    public static String stageOf(String id) {
        return TASKS.stages.get(id);
    }

    /** The status of the task's newest Plane sync ({@code pending}, {@code done}, {@code failed}). */
    public static void planeSync(String id, String status) {
        TASKS.syncs.put(id, status);
    }

    /** The task's next {@code times} transition requests meet a live lease owner. */
    public static void deferNext(String id, int times) {
        TASKS.deferrals.put(id, times);
    }

    /** The task's transition requests are refused as stage-service refuses a move outside the pipeline. */
    public static void refuse(String id) {
        TASKS.refusals.add(id);
    }

    /** Plane's path of the registered task's work item. */
    public static String planeItem(String id) {
        return PLANE_ITEMS + "proj-1/work-items/item-" + id + "/";
    }

    /** The built-in pipeline as stage-service serves it, with {@link #PLANE_STATES}. */
    public static String builtInPipeline() {
        try (InputStream in = StageServiceFake.class.getClassLoader().getResourceAsStream("dev/baton/pipeline.json")) {
            ObjectMapper json = new ObjectMapper();
            com.fasterxml.jackson.databind.node.ObjectNode pipeline = (com.fasterxml.jackson.databind.node.ObjectNode)
                    json.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            pipeline.set("planeStates", json.valueToTree(PLANE_STATES));
            return json.writeValueAsString(pipeline);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Two stages share a Plane state, as a team with fewer Plane states than stages maps them, and
     * {@code deploy-staging} has none (Plane cannot show it).
     */
    private static Map<String, String> planeStates() {
        Map<String, String> states = new java.util.LinkedHashMap<>();
        for (String stage : List.of("created", "analysis", "architecture", "development", "review", "testing",
                "deploy", "done", "cancelled")) {
            states.put(stage, "state-" + stage);
        }
        states.put("brd-approval", "state-analysis");
        return java.util.Collections.unmodifiableMap(states);
    }

    /** {@code POST /jobs/{id}/claim} as a CAS on the job's status. */
    static final class JobClaims extends NamedTransformer {

        static final String NAME = "stage-job-claim";
        private static final Pattern ID = Pattern.compile("/jobs/([0-9]+)/claim");
        final Map<Long, String> won = new ConcurrentHashMap<>();

        JobClaims() {
            super(NAME);
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            try {
                Matcher m = ID.matcher(event.getRequest().getUrl());
                if (!m.find()) {
                    return json(400, Map.of("title", "Bad Request", "status", 400, "detail", "bad path"));
                }
                long id = Long.parseLong(m.group(1));
                JsonNode body = JSON.readTree(event.getRequest().getBodyAsString());
                String status = body.path("status").asText();
                String previous = won.putIfAbsent(id, status);
                Map<String, Object> job = new HashMap<>();
                job.put("id", id);
                job.put("status", previous == null ? status : previous);
                job.put("detail", body.path("reason").asText(null));
                return previous == null ? json(200, Map.of("claim", "won", "job", job))
                        : json(409, Map.of("claim", "lost", "job", job));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** {@code POST /sweeps/{name}/claim}: one grant per name per 0.9 × interval, on the test clock. */
    static final class SweepTurns extends NamedTransformer {

        static final String NAME = "stage-sweep-claim";
        final Map<String, Instant> lastGrant = new ConcurrentHashMap<>();
        final AtomicBoolean supported = new AtomicBoolean(true);
        volatile Clock clock = Clock.systemUTC();

        SweepTurns() {
            super(NAME);
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            if (!supported.get()) {
                return json(404, Map.of("title", "Not Found", "status", 404, "detail", "HTTP 404 Not Found"));
            }
            try {
                String url = event.getRequest().getUrl();
                String name = url.substring("/sweeps/".length(), url.indexOf("/claim"));
                JsonNode body = JSON.readTree(event.getRequest().getBodyAsString());
                String holder = body.path("holder").asText();
                Duration window = Duration.ofMillis((long) (body.path("intervalS").asDouble() * 900));
                Instant now = clock.instant();
                AtomicBoolean granted = new AtomicBoolean(false);
                lastGrant.compute(name, (k, last) -> {
                    if (last == null || !now.isBefore(last.plus(window))) {
                        granted.set(true);
                        return now;
                    }
                    return last;
                });
                return json(200, Map.of("sweep", name, "granted", granted.get(), "holder", holder));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Registered tasks: {@code GET /tasks?active=true} and their transitions, a CAS on the stage. */
    static final class Tasks extends NamedTransformer {

        static final String NAME = "stage-tasks";
        private static final Pattern ID = Pattern.compile("/tasks/([^/]+)/transitions");
        final Map<String, String> stages = new ConcurrentHashMap<>();
        final Map<String, Integer> deferrals = new ConcurrentHashMap<>();
        final Set<String> refusals = ConcurrentHashMap.newKeySet();
        final Map<String, String> syncs = new ConcurrentHashMap<>();

        Tasks() {
            super(NAME);
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            try {
                String url = event.getRequest().getUrl();
                if (!"POST".equals(event.getRequest().getMethod().getName())) {
                    if (!url.contains("active=true")) {
                        return json(400, Map.of("type", "about:blank", "title", "Bad Request", "status", 400,
                                "detail", "only ?active=true is supported"));
                    }
                    List<Map<String, Object>> active = new ArrayList<>();
                    stages.entrySet().stream().filter(e -> !Set.of("done", "cancelled").contains(e.getValue()))
                            .sorted(Map.Entry.comparingByKey()).forEach(e -> {
                                Map<String, Object> task = new HashMap<>();
                                task.put("id", e.getKey());
                                task.put("stage", e.getValue());
                                task.put("planeProject", "proj-1");
                                task.put("planeIssue", "item-" + e.getKey());
                                task.put("planeSync", syncs.getOrDefault(e.getKey(), "done"));
                                active.add(task);
                            });
                    return json(200, active);
                }
                Matcher m = ID.matcher(url);
                if (!m.find()) {
                    return json(400, Map.of("title", "Bad Request", "status", 400, "detail", "bad path"));
                }
                String id = m.group(1);
                JsonNode body = JSON.readTree(event.getRequest().getBodyAsString());
                String from = body.path("from").asText();
                String to = body.path("to").asText();
                if (refusals.contains(id)) {
                    return json(422, Map.of("type", "about:blank", "title", "Unprocessable Entity", "status", 422,
                            "detail", "no transition " + from + " -> " + to + " in the pipeline",
                            "instance", "/tasks/" + id + "/transitions"));
                }
                synchronized (this) {
                    int deferred = deferrals.getOrDefault(id, 0);
                    if (deferred > 0) {
                        deferrals.put(id, deferred - 1);
                        return json(409, Map.of("outcome", "deferred", "task", id, "from", from, "to", to,
                                "owner", Map.of("actor", "monitor", "instance", "6f1c2d3e-0000-4000-8000-000000000003",
                                        "pid", 4242, "host", "stage-0", "since", "2026-11-28T03:59:58Z",
                                        "from", from, "to", to),
                                "detail", "live owner monitor"));
                    }
                    String now = stages.get(id);
                    if (to.equals(now)) {
                        return json(200, Map.of("outcome", "already", "task", id, "from", from, "to", to, "stage", now));
                    }
                    if (!from.equals(now)) {
                        return json(409, Map.of("outcome", "conflict", "task", id, "from", from, "to", to,
                                "stage", now, "detail", "task is at " + now));
                    }
                    stages.put(id, to);
                    return json(200, Map.of("outcome", "advanced", "task", id, "from", from, "to", to, "stage", to,
                            "version", 2, "token", 7));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
