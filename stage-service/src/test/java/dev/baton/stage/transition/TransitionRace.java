package dev.baton.stage.transition;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.baton.stage.StageApi.createTask;
import static dev.baton.stage.StageApi.newTaskId;

/**
 * Five actors released by a barrier at the same {@code development -> review} transition
 * (which carries the counting probe effect), for {@link #ROUNDS} fresh tasks.
 */
final class TransitionRace {

    static final int ACTORS = 5;
    static final int ROUNDS = 30;
    static final String[] ACTOR_KEYS = {"monitor", "plane-webhook", "reconciler", "reaper", "deploy-finalizer"};
    static final Pattern OUTCOME = Pattern.compile("\"outcome\":\"([a-z-]+)\"");

    record Result(List<String> tasks, Map<String, AtomicInteger> outcomes) {

        int count(String outcome) {
            AtomicInteger n = outcomes.get(outcome);
            return n == null ? 0 : n.get();
        }
    }

    private TransitionRace() {
    }

    static Result run(URL base, String repo, String prefix) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ExecutorService pool = Executors.newFixedThreadPool(ACTORS);
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<String> tasks = new ArrayList<>();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String task = newTaskId(prefix);
                tasks.add(task);
                createTask(task, repo, "development");
                CyclicBarrier start = new CyclicBarrier(ACTORS);
                List<Future<String>> answers = new ArrayList<>();
                for (String actor : ACTOR_KEYS) {
                    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "tasks/" + task + "/transitions"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("""
                                    {"from":"development","to":"review","actor":"%s","reason":"race"}"""
                                    .formatted(actor)))
                            .build();
                    answers.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
                    }));
                }
                for (Future<String> answer : answers) {
                    String body = answer.get(30, TimeUnit.SECONDS);
                    Matcher m = OUTCOME.matcher(body);
                    if (!m.find()) {
                        throw new AssertionError("an answer without an outcome: " + body);
                    }
                    outcomes.computeIfAbsent(m.group(1), k -> new AtomicInteger()).incrementAndGet();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Result(tasks, outcomes);
    }
}
