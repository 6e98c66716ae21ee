package dev.baton.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.infra.fake.FakeOutside;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * {@code ./baton demo}: against a running {@code ./baton up}, one work item from a signed Plane
 * webhook to {@code done}. It plays only the people and CI — Plane webhooks (a person moves the
 * work item), Gitea's CI status — over the wire; the agent-runner runs the example agent of every
 * worked stage for real (clone, commit, push, pull request). After every transition it prints the
 * tracker card as the local fake Telegram holds it, and where each agent's log is.
 *
 * <p>Usage: {@code Demo <infra.env>} (the file {@code ./baton up} writes); the services are on their
 * default ports unless {@code BATON_GATEWAY_URL} / {@code BATON_STAGE_URL} / {@code BATON_RUNNER_URL}
 * say otherwise.
 */
public final class Demo {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SOON = Duration.ofSeconds(120);

    private final HttpClient http = HttpClient.newHttpClient();
    private final PipelineDriver driver;
    private final String fake;
    private final String stageUrl;
    private final String giteaUrl;
    private final String runnerUrl;
    private final String repo;
    private final Map<String, String> labels = new HashMap<>();
    private final java.util.List<String> order = new java.util.ArrayList<>();
    private final Map<Long, String> jobs = new java.util.LinkedHashMap<>();
    private String lastCard = "";

    private Demo(PipelineDriver driver, String fake, String stageUrl, String giteaUrl, String runnerUrl, String repo) {
        this.driver = driver;
        this.fake = fake;
        this.stageUrl = stageUrl;
        this.giteaUrl = giteaUrl;
        this.runnerUrl = runnerUrl;
        this.repo = repo;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (args.length == 1 && Files.isRegularFile(Path.of(args[0]))) {
            for (String line : Files.readAllLines(Path.of(args[0]))) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    env.putIfAbsent(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        String planeSecret = env.get("BATON_PLANE_WEBHOOK_SECRET");
        String giteaSecret = env.get("BATON_GITEA_WEBHOOK_SECRET");
        if (planeSecret == null || giteaSecret == null) {
            System.err.println("demo: the webhook secrets are unknown: run ./baton up first (it writes .baton/infra.env)");
            System.exit(2);
        }
        String gateway = env.getOrDefault("BATON_GATEWAY_URL", "http://127.0.0.1:8080");
        String stage = env.getOrDefault("BATON_STAGE_URL", "http://127.0.0.1:8081");
        PipelineDriver driver = new PipelineDriver(gateway, stage, planeSecret, giteaSecret);
        new Demo(driver, env.get("BATON_FAKE_URL"), stage, env.getOrDefault("BATON_GITEA_URL", "http://127.0.0.1:3000"),
                env.getOrDefault("BATON_RUNNER_URL", "http://127.0.0.1:8084"),
                env.getOrDefault("BATON_INBOUND_DEFAULT_REPO", env.getOrDefault("BATON_SELF_REPO", "baton/baton"))).run();
    }

    private void run() throws Exception {
        for (JsonNode stage : driver.get("/pipeline").body().path("stages")) {
            labels.put(stage.path("key").asText(), stage.path("label").path("en").asText());
            order.add(stage.path("key").asText());
        }
        // A fresh work item each run: the database lives as long as ./baton up.
        int sequence = 100 + (int) (System.currentTimeMillis() / 1000 % 90_000);
        String planeId = UUID.randomUUID().toString();
        String project = "DEMO";
        say("Plane: a work item is created (a signed workitem.created webhook to the gateway)");
        String item = driver.planeCreated(planeId, project, sequence, SOON);
        say("stage-service created task " + item + "; the Telegram card:");
        showCard(item, "created");

        step(item, "Plane: alice moves " + item + " to Analysis; the agent-runner clones " + repo
                + " and runs the analysis agent (agents/examples/analysis.sh)", "brd-approval",
                () -> driver.planeStateChanged(planeId, project, sequence, "Analysis"));
        step(item, "Plane: the product owner approves the BRD by moving " + item + " to Architecture;"
                + " the architecture agent runs", "development",
                () -> driver.planeStateChanged(planeId, project, sequence, "Architecture"));
        say("the development agent commits on baton/" + item + "; the runner pushes the branch and opens the"
                + " pull request in Gitea");
        PipelineDriver.PullRequest pr = driver.awaitPullRequest(giteaUrl, repo, "baton/" + item, SOON);
        say("Gitea: pull request #" + pr.number() + " is open at " + pr.headSha().substring(0, 10)
                + "; CI reports success for that commit");
        driver.giteaStatus(item, pr.headSha(), "success");
        step(item, "the development job ended; its finalize moved " + item + " on", "review", () -> { });
        step(item, "runner: the review agent waits for green CI and approves; the transition merges the PR in"
                + " Gitea, once", "testing", () -> { });
        step(item, "runner: the testing agent reports 87.5% coverage; the floor is raised and the image rebuilt",
                "deploy-staging", () -> { });
        step(item, "runner: the staging deploy agent reports a healthy staging; the transition starts the"
                + " production deploy workflow", "deploy", () -> { });
        say("reaper-service: the deploy finalizer follows the deploy run (it sweeps every BATON_FINALIZER_INTERVAL,"
                + " 30 s by default)...");
        driver.awaitStage(item, "done", Duration.ofSeconds(120));
        say("the deploy finalizer saw the run succeed and moved " + item + " to done");
        showCard(item, "done");
        summary(item);
    }

    interface Action {
        void run() throws Exception;
    }

    /**
     * Says what happens, does it, and waits until the item has ENTERED {@code stage} (the runner may
     * already have moved it further: agents run for real, at their own pace).
     */
    private void step(String item, String what, String stage, Action action) throws Exception {
        say(what);
        action.run();
        PipelineDriver.awaitTrue(() -> {
            noteJobs(item);
            for (JsonNode h : driver.get("/tasks/" + item).body().path("history")) {
                if (stage.equals(h.path("to").asText())) {
                    return true;
                }
            }
            return false;
        }, SOON, item + " to enter " + stage);
        say(item + " entered " + stage + "; the Telegram card:");
        showCard(item, stage);
    }

    /** The item's jobs stage-service shows running (a runner has them), so their logs can be named. */
    private void noteJobs(String item) throws Exception {
        for (JsonNode job : driver.get("/queue").body().path("jobs")) {
            if (item.equals(job.path("taskId").asText()) && "running".equals(job.path("status").asText())
                    && jobs.putIfAbsent(job.path("id").asLong(),
                    job.path("stage").asText()) == null) {
                say("  the " + job.path("stage").asText() + " agent's log: " + runnerUrl + "/jobs/"
                        + job.path("id").asLong() + "/log");
            }
        }
    }

    /**
     * The card as the fake Bot API holds it, once it shows {@code stage} or a later one (the agents may
     * have moved the item on). The notifier keeps to Telegram's pace (BATON_TELEGRAM_MESSAGES_PER_MINUTE,
     * 20 by default), so at demo speed a card can trail the task by some seconds: it catches up, never
     * skips the last state.
     */
    private void showCard(String item, String stage) throws Exception {
        if (fake == null) {
            System.out.println("    (Telegram is real here, not the local fake: the card is in your chat)\n");
            return;
        }
        java.util.List<String> atOrAfter = order.indexOf(stage) < 0 ? java.util.List.of(labels.getOrDefault(stage, stage))
                : order.subList(order.indexOf(stage), order.size()).stream().map(key -> labels.getOrDefault(key, key))
                .toList();
        String card = fetchCard(item);
        long started = System.nanoTime();
        long deadline = started + Duration.ofSeconds(90).toNanos();
        boolean waited = false;
        while (!showsOneOf(card, atOrAfter) && System.nanoTime() < deadline) {
            if (!waited && System.nanoTime() - started > Duration.ofSeconds(3).toNanos()) {
                say("(the notifier keeps to Telegram's 20 messages a minute per chat: waiting for the card to catch up)");
                waited = true;
            }
            Thread.sleep(500);
            card = fetchCard(item);
        }
        lastCard = card;
        for (String line : plain(card).split("\n")) {
            System.out.println("    │ " + line);
        }
        System.out.println();
    }

    private static boolean showsOneOf(String card, java.util.List<String> labels) {
        return labels.stream().anyMatch(label -> card.contains("Stage: <b>" + label + "</b>"));
    }

    private String fetchCard(String item) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(fake + "/__fake/telegram/messages"))
                .build(), HttpResponse.BodyHandlers.ofString());
        String card = lastCard;
        for (JsonNode message : JSON.readTree(response.body()).path(FakeOutside.TELEGRAM_CHAT)) {
            if (message.asText().contains("<b>" + item + "</b>")) {
                card = message.asText();
            }
        }
        return card;
    }

    private void summary(String item) throws Exception {
        JsonNode view = driver.get("/tasks/" + item).body();
        System.out.println("What happened to " + item + ":");
        for (JsonNode h : view.path("history")) {
            String from = h.path("from").isTextual() ? h.path("from").asText() : "(new)";
            System.out.printf("  %-14s → %-14s by %-16s %s%n", from, h.path("to").asText(),
                    h.path("actor").asText(), h.path("reason").asText());
        }
        System.out.println("Irreversible effects, from the effect ledger (each exactly once):");
        for (JsonNode e : view.path("effects")) {
            System.out.printf("  %-17s %-6s %s%n", e.path("effect").asText(), e.path("status").asText(),
                    e.path("detail").asText());
        }
        System.out.println();
        System.out.println("Where to look next:");
        System.out.println("  queue, leases, running jobs   " + stageUrl + "/queue");
        System.out.println("  this task, history, ledger    " + stageUrl + "/tasks/" + item);
        // ./baton up puts each service's management port 1000 above its API port.
        String management = "http://127.0.0.1:" + (java.net.URI.create(stageUrl).getPort() + 1000);
        System.out.println("  Swagger UI                    " + management + "/q/swagger-ui (and :9080, :9082, :9083, :9084)");
        System.out.println("  metrics (Prometheus)          " + management + "/q/metrics");
        System.out.println("  the agent-runner              " + runnerUrl + "/runner, and each job's log:");
        jobs.forEach((id, stage) -> System.out.printf("    %-16s %s/jobs/%d/log  (file: <BATON_RUNNER_WORKDIR>/logs/job-%d.log)%n",
                stage, runnerUrl, id, id));
        if (fake != null) {
            System.out.println("  the fake Telegram's messages  " + fake + "/__fake/telegram/messages");
        }
    }

    /** The card's Telegram HTML as a terminal shows it. */
    static String plain(String html) {
        return html.replaceAll("<a href=\"([^\"]*)\">([^<]*)</a>", "$2 ($1)").replaceAll("<[^>]+>", "")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    }

    private static void say(String line) {
        System.out.println("▶ " + line);
    }
}
