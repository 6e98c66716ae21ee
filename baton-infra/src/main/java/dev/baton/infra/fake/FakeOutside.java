package dev.baton.infra.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * The outside world Baton talks to — Gitea, Plane and the Telegram Bot API — as one WireMock
 * server that keeps the state a whole pipeline run needs, answering in each one's real wire
 * format (bodies and error bodies as their APIs return them):
 *
 * <ul>
 *   <li>Gitea: {@code POST .../pulls/{n}/merge} merges (200, empty body; the PR is merged as soon as
 *       the request arrives, even while {@link #holdMerges(Duration) a hold} keeps the answer back,
 *       as a real Gitea would after a client gave up), {@code GET .../pulls/{n}/merge} 204 once merged
 *       else 404, {@code POST .../actions/workflows/{w}/dispatches} 204 and records a run titled with
 *       the {@code idempotency_key} input (the workflows set {@code run-name} to it), and
 *       {@code GET .../actions/runs} lists those runs, completed with {@link #runConclusion}.
 *       {@code POST .../pulls} opens a pull request from a branch of the {@link #git() git server}
 *       (409 with Gitea's message when that branch already has an open one), {@code GET .../pulls}
 *       lists them. The repositories themselves are real git over HTTP: {@link #git()}.</li>
 *   <li>Plane: {@code PATCH} of a work item (200, its state remembered), {@code GET} of one
 *       ({@code ?expand=state}: the state object with its name; 404 for an item never set), and comments (201; 409 for a second comment with
 *       the same {@code external_id}, as Plane answers).</li>
 *   <li>Telegram: {@code sendMessage}, {@code editMessageText} and {@code deleteMessage} of the one
 *       bot token given, with fresh message ids and the Bot API's own error bodies ("message is not
 *       modified", "message to edit not found", 401 for another token).</li>
 * </ul>
 * Gitea calls need {@link #GITEA_TOKEN} and Plane calls {@link #PLANE_API_KEY} ({@link OutsideCredentials}).
 * Outages on demand, in each one's real error format: {@link #telegramTooManyRequests},
 * {@link #telegramServerErrors}, {@link #giteaServerErrors} and {@link #holdMerges}; what a fault test
 * counts is kept: {@link #telegramCalls}, {@link #repeatedMerges}, {@link #repeatedDispatches},
 * {@link #planeCommentConflicts}.
 * {@code GET /__fake/telegram/messages} shows the chats' current messages, for a person or a
 * program in another process ({@code ./baton demo}). It is also the local stack's trace collector:
 * {@code POST /v1/traces} (OTLP/HTTP), shown at {@code GET /__fake/traces} ({@link OtlpTraces}).
 */
public final class FakeOutside implements AutoCloseable {

    public static final String TELEGRAM_TOKEN = "100000001:LOCAL-fake-bot-token";
    public static final String TELEGRAM_CHAT = "-1001234567890";
    /** The Gitea API token the fake accepts ({@code Authorization: token ...}); any other call gets Gitea's 401. */
    public static final String GITEA_TOKEN = "local-fake-gitea-token";
    /** The Plane API key the fake accepts ({@code X-API-Key}); any other call gets Plane's 401. */
    public static final String PLANE_API_KEY = "local-fake-plane-key";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REPO = Pattern.compile("/api/v1/repos/([^/]+)/([^/]+)/.*");
    private static final Pattern PULL = Pattern.compile("/api/v1/repos/([^/]+/[^/]+)/pulls/(\\d+)/merge");
    private static final Pattern PULLS = Pattern.compile("/api/v1/repos/([^/]+/[^/]+)/pulls");
    private static final Pattern WORKFLOW = Pattern.compile("/api/v1/repos/([^/]+/[^/]+)/actions/workflows/([^/]+)/dispatches");
    private static final String BOT = "/bot" + TELEGRAM_TOKEN;

    private final WireMockServer server;
    private final Set<String> merged = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> mergeRequests = new ConcurrentHashMap<>();
    private final AtomicReference<Duration> mergeHold = new AtomicReference<>(Duration.ZERO);
    private final AtomicReference<String> runConclusion = new AtomicReference<>("success");
    private final List<Map<String, Object>> runs = new ArrayList<>();
    private final AtomicLong runIds = new AtomicLong(4000);
    private final Map<Long, Map<Long, String>> chats = new ConcurrentHashMap<>();
    private final AtomicLong messageIds = new AtomicLong(100);
    private final Map<String, List<Map<String, Object>>> pulls = new ConcurrentHashMap<>();
    private final Map<String, String> planeComments = new ConcurrentHashMap<>();
    /** Work item id → its Plane state id, as the last PATCH (or a person, {@link #planeMoved}) set it. */
    private final Map<String, String> planeItemStates = new ConcurrentHashMap<>();
    private final Map<String, String> planeStateNames = new ConcurrentHashMap<>();
    private final FakeGitServer git;
    private volatile Consumer<String> telegramTexts = text -> { };
    private volatile Consumer<String> mergeArrivals = pr -> { };
    private final AtomicInteger telegram429s = new AtomicInteger();
    private final AtomicInteger telegramRetryAfter = new AtomicInteger();
    private final AtomicInteger telegram5xxs = new AtomicInteger();
    private final AtomicInteger gitea5xxs = new AtomicInteger();
    private final AtomicInteger repeatedMerges = new AtomicInteger();
    private final AtomicInteger planeCommentConflicts = new AtomicInteger();
    private final Map<Long, List<TelegramCall>> telegramCalls = new ConcurrentHashMap<>();

    private FakeOutside(int port) {
        server = new WireMockServer(options().bindAddress("127.0.0.1").port(port).extensions(new Stateful(), new OtlpTraces(), new OutsideCredentials(GITEA_TOKEN, PLANE_API_KEY))
                .disableRequestJournal().containerThreads(24));
        server.start();
        stubs();
        try {
            git = FakeGitServer.start(java.nio.file.Files.createTempDirectory("baton-fake-git"), 0);
        } catch (IOException e) {
            server.stop();
            throw new UncheckedIOException(e);
        }
        git.createRepo(WebhookPayloads.REPO);
    }

    /** The git repositories the fake Gitea serves (clone and push over HTTP). */
    public FakeGitServer git() {
        return git;
    }

    /** Pull requests opened through {@code POST .../pulls} of {@code repo}, in order. */
    public List<Map<String, Object>> pullRequests(String repo) {
        List<Map<String, Object>> of = pulls.getOrDefault(repo, List.of());
        synchronized (of) {
            return List.copyOf(of);
        }
    }

    /** Plane comments accepted, by {@code external_id}: their HTML. */
    public Map<String, String> planeComments() {
        return Map.copyOf(planeComments);
    }

    /** The Plane state id of a work item, as the Plane sync last set it (null: never set). */
    public String planeState(String workItemId) {
        return planeItemStates.get(workItemId);
    }

    /** A person moved the work item in Plane (and no webhook told Baton): only a read shows it. */
    public void planeMoved(String workItemId, String stateId) {
        planeItemStates.put(workItemId, stateId);
    }

    /** The names of the project's Plane states (id → name), answered under {@code ?expand=state}. */
    public void planeStateNames(Map<String, String> names) {
        planeStateNames.putAll(names);
    }

    /** Starts on {@code port} (0: any free port) on the loopback interface. */
    public static FakeOutside start(int port) {
        return new FakeOutside(port);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public int port() {
        return server.port();
    }

    /** Merge requests received for pull request {@code number} of {@code repo}, whatever their answer. */
    public int mergeRequests(String repo, int number) {
        AtomicInteger count = mergeRequests.get(repo + "#" + number);
        return count == null ? 0 : count.get();
    }

    /** Dispatches received for {@code workflow} (e.g. {@code image.yml}). */
    public long dispatches(String workflow) {
        synchronized (runs) {
            return runs.stream().filter(r -> workflow.equals(r.get("path"))).count();
        }
    }

    /** From now on, merge answers wait this long (the PR is merged at once all the same). */
    public void holdMerges(Duration hold) {
        mergeHold.set(hold);
    }

    /** How the workflow runs dispatched from now on end: {@code success}, {@code failure}. */
    public void runConclusion(String conclusion) {
        runConclusion.set(conclusion);
    }

    /** The current text of every message in {@code chat}, oldest first. */
    public List<String> messages(String chat) {
        Map<Long, String> messages = chats.getOrDefault(Long.parseLong(chat), Map.of());
        synchronized (messages) {
            return new ArrayList<>(messages.values());
        }
    }

    /** The next {@code calls} Bot API calls answer 429 "Too Many Requests: retry after N", as Telegram does. */
    public void telegramTooManyRequests(int calls, int retryAfterSeconds) {
        telegramRetryAfter.set(retryAfterSeconds);
        telegram429s.set(calls);
    }

    /** The next {@code calls} Bot API calls answer 500 with the Bot API's error body. */
    public void telegramServerErrors(int calls) {
        telegram5xxs.set(calls);
    }

    /**
     * The next {@code calls} Gitea API calls answer 500 with Gitea's error body, and do nothing. Not
     * workflow dispatches: a dispatch answered 500 may or may not have started a run, so Baton leaves
     * its effect in doubt for an operator, by design (stage-service's WorkflowDispatchResolveTest) — a
     * fault run that drives items to their end without an operator keeps 5xx to what Baton settles itself.
     */
    public void giteaServerErrors(int calls) {
        gitea5xxs.set(calls);
    }

    /** Each Bot API call for {@code chat}: when it arrived and what it was answered, in order of arrival. */
    public List<TelegramCall> telegramCalls(String chat) {
        List<TelegramCall> calls = telegramCalls.getOrDefault(Long.parseLong(chat), List.of());
        synchronized (calls) {
            return calls.stream().sorted(Comparator.comparing(TelegramCall::at)).toList();
        }
    }

    /** One Bot API call as it arrived, and what the fake answered (the HTTP status). */
    public record TelegramCall(Instant at, String method, int status) {
        @Override
        public String toString() {
            return at + " " + method + " " + status;
        }
    }

    /** Pull requests merged, as {@code repo#number}. */
    public Set<String> mergedPulls() {
        return Set.copyOf(merged);
    }

    /** Merge requests for a pull request already merged: a second attempt of an irreversible effect. */
    public int repeatedMerges() {
        return repeatedMerges.get();
    }

    /** Workflow runs dispatched with an idempotency key an earlier run already carries. */
    public long repeatedDispatches() {
        synchronized (runs) {
            return runs.size() - runs.stream().map(r -> r.get("path") + " " + r.get("display_title")).distinct().count();
        }
    }

    /** Plane comments refused (409) because one with the same {@code external_id} exists. */
    public int planeCommentConflicts() {
        return planeCommentConflicts.get();
    }

    /** Told {@code repo#number} of every merge request as it arrives, before any hold; keep it cheap. */
    public void onMergeRequest(Consumer<String> listener) {
        mergeArrivals = listener;
    }

    /** Told every text the Bot API accepts (sent or edited), as it is accepted; keep it cheap. */
    public void onTelegramText(Consumer<String> listener) {
        telegramTexts = listener;
    }

    @Override
    public void close() {
        server.stop();
        try {
            git.close();
        } catch (Exception e) {
            throw new IllegalStateException("the fake git server did not stop", e);
        }
    }

    private void stubs() {
        // Gitea.
        server.stubFor(post(urlPathMatching("/api/v1/repos/[^/]+/[^/]+/pulls/\\d+/merge"))
                .willReturn(aResponse().withTransformers(Stateful.NAME)));
        server.stubFor(get(urlPathMatching("/api/v1/repos/[^/]+/[^/]+/pulls/\\d+/merge"))
                .willReturn(aResponse().withTransformers(Stateful.NAME)));
        server.stubFor(post(urlPathMatching("/api/v1/repos/[^/]+/[^/]+/actions/workflows/[^/]+/dispatches"))
                .willReturn(aResponse().withTransformers(Stateful.NAME)));
        server.stubFor(get(urlPathMatching("/api/v1/repos/[^/]+/[^/]+/actions/runs"))
                .willReturn(aResponse().withTransformers(Stateful.NAME)));
        server.stubFor(any(urlPathMatching("/api/v1/repos/[^/]+/[^/]+/pulls"))
                .willReturn(aResponse().withTransformers(Stateful.NAME)));
        // Plane.
        server.stubFor(patch(urlPathMatching("/api/v1/workspaces/[^/]+/projects/[^/]+/work-items/[^/]+/?"))
                .willReturn(aResponse().withTransformers(Stateful.NAME)));
        server.stubFor(get(urlPathMatching("/api/v1/workspaces/[^/]+/projects/[^/]+/work-items/[^/]+/?"))
                .willReturn(aResponse().withTransformers(Stateful.NAME)));
        server.stubFor(post(urlPathMatching("/api/v1/workspaces/[^/]+/projects/[^/]+/work-items/[^/]+/comments/?"))
                .willReturn(aResponse().withTransformers(Stateful.NAME)));
        // Telegram: the one token; any other gets the Bot API's 401.
        server.stubFor(post(urlPathMatching("/bot[^/]+/.*")).atPriority(9)
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody("{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}")));
        for (String method : List.of("sendMessage", "editMessageText", "deleteMessage")) {
            server.stubFor(post(urlPathEqualTo(BOT + "/" + method)).atPriority(1)
                    .willReturn(aResponse().withTransformers(Stateful.NAME)));
        }
        server.stubFor(get(urlPathEqualTo("/__fake/telegram/messages"))
                .willReturn(aResponse().withTransformers(Stateful.NAME)));
        // The local stack's trace collector (OTLP/HTTP), and what it collected.
        server.stubFor(post(urlPathEqualTo("/v1/traces")).willReturn(aResponse().withTransformers(OtlpTraces.NAME)));
        server.stubFor(get(urlPathMatching("/__fake/traces(/[0-9a-f]{32})?")).willReturn(aResponse().withTransformers(OtlpTraces.NAME)));
        server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"message\":\"The target couldn't be found.\",\"url\":\"http://127.0.0.1/api/swagger\"}")));
    }

    /** One transformer for every stateful answer: the path says which. */
    private final class Stateful extends NamedTransformer {

        static final String NAME = "baton-fake-outside";

        Stateful() {
            super(NAME);
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            String method = event.getRequest().getMethod().getName();
            String path = event.getRequest().getUrl().replaceFirst("\\?.*", "");
            try {
                if (path.startsWith(BOT + "/")) {
                    Instant at = Instant.now();
                    JsonNode request = JSON.readTree(event.getRequest().getBodyAsString());
                    String botMethod = path.substring(BOT.length() + 1);
                    ResponseDefinition answer;
                    if (take(telegram429s)) {
                        int retryAfter = telegramRetryAfter.get();
                        answer = json(429, Map.of("ok", false, "error_code", 429, "description",
                                "Too Many Requests: retry after " + retryAfter, "parameters", Map.of("retry_after", retryAfter)));
                    } else if (take(telegram5xxs)) {
                        answer = json(500, Map.of("ok", false, "error_code", 500, "description", "Internal Server Error"));
                    } else {
                        answer = telegram(botMethod, request);
                    }
                    List<TelegramCall> calls = telegramCalls.computeIfAbsent(request.path("chat_id").asLong(), c -> new ArrayList<>());
                    synchronized (calls) {
                        calls.add(new TelegramCall(at, botMethod, answer.getStatus()));
                    }
                    return answer;
                }
                if (path.equals("/__fake/telegram/messages")) {
                    Map<String, Object> all = new LinkedHashMap<>();
                    chats.forEach((chat, messages) -> {
                        synchronized (messages) {
                            all.put(String.valueOf(chat), new LinkedHashMap<>(messages));
                        }
                    });
                    return json(200, all);
                }
                if (path.startsWith("/api/v1/repos/") && !WORKFLOW.matcher(path).matches() && take(gitea5xxs)) {
                    return json(500, Map.of("message", "internal server error", "url", "http://127.0.0.1/api/swagger"));
                }
                Matcher pull = PULL.matcher(path);
                if (pull.matches()) {
                    return merge(method, pull.group(1) + "#" + pull.group(2));
                }
                Matcher workflow = WORKFLOW.matcher(path);
                if (workflow.matches()) {
                    return dispatch(workflow.group(1), workflow.group(2),
                            JSON.readTree(event.getRequest().getBodyAsString()));
                }
                Matcher pullList = PULLS.matcher(path);
                if (pullList.matches()) {
                    return "POST".equals(method)
                            ? openPull(pullList.group(1), JSON.readTree(event.getRequest().getBodyAsString()))
                            : json(200, pullRequests(pullList.group(1)).stream()
                                    .filter(pr -> "open".equals(pr.get("state"))).toList());
                }
                if (path.matches(".*/work-items/[^/]+/comments/?") && "POST".equals(method)) {
                    return comment(JSON.readTree(event.getRequest().getBodyAsString()));
                }
                if (path.endsWith("/actions/runs")) {
                    Matcher repo = REPO.matcher(path);
                    repo.matches();
                    return runsOf(repo.group(1) + "/" + repo.group(2));
                }
                if ("PATCH".equals(method)) {
                    JsonNode body = JSON.readTree(event.getRequest().getBodyAsString());
                    String id = path.replaceAll(".*/work-items/([^/]+)/?", "$1");
                    if (!body.path("state").asText("").isEmpty()) {
                        planeItemStates.put(id, body.path("state").asText());
                    }
                    return json(200, Map.of("id", id, "state", body.path("state").asText(""),
                            "updated_at", Instant.now().toString()));
                }
                if ("GET".equals(method) && path.matches(".*/work-items/[^/]+/?")) {
                    String id = path.replaceAll(".*/work-items/([^/]+)/?", "$1");
                    String state = planeItemStates.get(id);
                    if (state == null) {
                        return json(404, Map.of("error", "The requested resource does not exist."));
                    }
                    // Plane v1 answers the state id, or the state object under ?expand=state.
                    Object shown = event.getRequest().getUrl().contains("expand=state")
                            ? Map.of("id", state, "name", planeStateNames.getOrDefault(state, state)) : state;
                    return json(200, Map.of("id", id, "state", shown, "updated_at", Instant.now().toString()));
                }
                return json(404, Map.of("message", "The target couldn't be found."));
            } catch (IOException e) {
                return json(400, Map.of("message", "invalid JSON: " + e.getMessage()));
            }
        }

        private ResponseDefinition merge(String method, String pr) {
            if ("GET".equals(method)) {
                return merged.contains(pr) ? new ResponseDefinitionBuilder().withStatus(204).build()
                        : json(404, Map.of("message", "The target couldn't be found.",
                        "url", "http://127.0.0.1/api/swagger"));
            }
            mergeRequests.computeIfAbsent(pr, p -> new AtomicInteger()).incrementAndGet();
            mergeArrivals.accept(pr);
            if (!merged.add(pr)) {
                repeatedMerges.incrementAndGet();
                return json(405, Map.of("message", "The PR is already merged", "url", "http://127.0.0.1/api/swagger"));
            }
            return new ResponseDefinitionBuilder().withStatus(200)
                    .withFixedDelay((int) mergeHold.get().toMillis()).build();
        }

        private ResponseDefinition openPull(String repo, JsonNode body) {
            String head = body.path("head").asText("");
            String base = body.path("base").asText("main");
            java.util.Optional<String> sha = git.head(repo, head);
            if (sha.isEmpty()) {
                return json(404, Map.of("message", "The target couldn't be found.", "url", "http://127.0.0.1/api/swagger"));
            }
            List<Map<String, Object>> of = pulls.computeIfAbsent(repo, r -> new ArrayList<>());
            synchronized (of) {
                for (Map<String, Object> open : of) {
                    if ("open".equals(open.get("state")) && head.equals(((Map<?, ?>) open.get("head")).get("ref"))) {
                        return json(409, Map.of("message", "pull request already exists for these targets [id: "
                                + open.get("id") + ", issue_id: " + open.get("number") + ", head_repo_id: 1, "
                                + "base_repo_id: 1, head_branch: " + head + ", base_branch: " + base + "]",
                                "url", "http://127.0.0.1/api/swagger"));
                    }
                }
                int number = of.size() + 1;
                Map<String, Object> pr = new LinkedHashMap<>();
                pr.put("id", 9000 + number);
                pr.put("number", number);
                pr.put("html_url", baseUrl() + "/" + repo + "/pulls/" + number);
                pr.put("state", "open");
                pr.put("title", body.path("title").asText(""));
                pr.put("body", body.path("body").asText(""));
                pr.put("head", Map.of("ref", head, "sha", sha.get()));
                pr.put("base", Map.of("ref", base));
                of.add(pr);
                return json(201, pr);
            }
        }

        private ResponseDefinition comment(JsonNode body) {
            String externalId = body.path("external_id").asText("");
            if (!externalId.isEmpty() && planeComments.putIfAbsent(externalId, body.path("comment_html").asText()) != null) {
                planeCommentConflicts.incrementAndGet();
                return json(409, Map.of("error", "Comment with the same external id and external source already exists",
                        "id", "6a0e3c1b-2f4d-4e5a-9b8c-7d6e5f4a3b2c"));
            }
            return json(201, Map.of("id", java.util.UUID.randomUUID().toString(),
                    "comment_html", body.path("comment_html").asText("")));
        }

        private ResponseDefinition dispatch(String repo, String workflow, JsonNode body) {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("id", runIds.incrementAndGet());
            run.put("repository", repo);
            run.put("path", workflow);
            run.put("display_title", body.path("inputs").path("idempotency_key").asText(workflow));
            run.put("event", "workflow_dispatch");
            run.put("head_branch", body.path("ref").asText("main"));
            run.put("head_sha", body.path("inputs").path("sha").asText(""));
            run.put("status", "completed");
            run.put("conclusion", runConclusion.get());
            run.put("created_at", Instant.now().toString());
            synchronized (runs) {
                runs.add(run);
            }
            return new ResponseDefinitionBuilder().withStatus(204).build();
        }

        private ResponseDefinition runsOf(String repo) {
            List<Map<String, Object>> of;
            synchronized (runs) {
                of = runs.stream().filter(r -> repo.equals(r.get("repository"))).toList();
            }
            return json(200, Map.of("total_count", of.size(), "workflow_runs", of));
        }

        private ResponseDefinition telegram(String method, JsonNode request) {
            long chat = request.path("chat_id").asLong();
            Map<Long, String> messages = chats.computeIfAbsent(chat, c -> new LinkedHashMap<>());
            synchronized (messages) {
                return switch (method) {
                    case "sendMessage" -> {
                        long id = messageIds.incrementAndGet();
                        messages.put(id, request.path("text").asText());
                        telegramTexts.accept(messages.get(id));
                        yield json(200, Map.of("ok", true, "result", message(chat, id, messages.get(id), false)));
                    }
                    case "editMessageText" -> {
                        long id = request.path("message_id").asLong();
                        String text = request.path("text").asText();
                        if (!messages.containsKey(id)) {
                            yield botError("Bad Request: message to edit not found");
                        }
                        if (text.equals(messages.get(id))) {
                            yield botError("Bad Request: message is not modified: specified new message content and"
                                    + " reply markup are exactly the same as a current content and reply markup of"
                                    + " the message");
                        }
                        messages.put(id, text);
                        telegramTexts.accept(text);
                        yield json(200, Map.of("ok", true, "result", message(chat, id, text, true)));
                    }
                    default -> messages.remove(request.path("message_id").asLong()) == null
                            ? botError("Bad Request: message to delete not found")
                            : json(200, Map.of("ok", true, "result", true));
                };
            }
        }

        /** Takes one call of a fault budget: true while the budget lasts. */
        private boolean take(AtomicInteger budget) {
            return budget.getAndUpdate(left -> Math.max(0, left - 1)) > 0;
        }

        private Map<String, Object> message(long chat, long id, String text, boolean edited) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("message_id", id);
            message.put("from", Map.of("id", 100000001, "is_bot", true, "first_name", "Baton", "username", "baton_bot"));
            message.put("chat", Map.of("id", chat, "title", "Baton", "type", "supergroup"));
            message.put("date", Instant.now().getEpochSecond());
            if (edited) {
                message.put("edit_date", Instant.now().getEpochSecond());
            }
            message.put("text", text);
            return message;
        }

        private ResponseDefinition botError(String description) {
            return json(400, Map.of("ok", false, "error_code", 400, "description", description));
        }
    }
}
