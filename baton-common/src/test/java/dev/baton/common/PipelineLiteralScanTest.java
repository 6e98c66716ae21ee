package dev.baton.common;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No module's main code knows the built-in pipeline: a stage key of {@code dev/baton/pipeline.json}
 * written as a Java string literal anywhere under {@code <module>/src/main/java} fails this test. What a
 * stage means (its triggers, approval, card row, Plane state, cancel target) belongs in the definition.
 *
 * <p>A few stage keys are also ordinary words of another vocabulary ({@code done} is a job status,
 * {@code created} a Plane webhook action, {@code cancelled} a Plane state group and a Gitea run
 * conclusion). Those uses are listed below file by file with the vocabulary they belong to; any
 * other file that writes such a word as a literal fails until it is looked at and listed.
 */
class PipelineLiteralScanTest {

    static final String DEFINITION = "dev/baton/pipeline.json";

    /** Literal → the files (relative to the repository root) allowed to write it, with why. */
    static final Map<String, Map<String, String>> OTHER_VOCABULARY = Map.of(
            "done", Map.of(
                    "stage-service/src/main/java/dev/baton/stage/job/JobService.java", "job status",
                    "stage-service/src/main/java/dev/baton/stage/effect/EffectLedger.java", "effect ledger status",
                    "stage-service/src/main/java/dev/baton/stage/effect/InDoubtDecision.java", "effect ledger status",
                    "stage-service/src/main/java/dev/baton/stage/console/ConsoleService.java", "Plane sync status",
                    "stage-service/src/main/java/dev/baton/stage/metrics/StageMetrics.java", "effect result",
                    "reaper-service/src/main/java/dev/baton/reaper/job/JobReaper.java", "job status",
                    "reaper-service/src/main/java/dev/baton/reaper/client/TaskView.java", "effect ledger status",
                    "agent-runner/src/main/java/dev/baton/runner/job/JobExecution.java", "job status"),
            "created", Map.of(
                    "stage-service/src/main/java/dev/baton/stage/task/TaskService.java", "stage history kind",
                    "webhook-gateway/src/main/java/dev/baton/gateway/webhook/PlaneNormalizer.java",
                    "Plane webhook action",
                    "baton-infra/src/main/java/dev/baton/infra/fake/WebhookPayloads.java", "Gitea user field"),
            "cancelled", Map.of(
                    "stage-service/src/main/java/dev/baton/stage/inbound/InboundApplier.java", "Plane state group",
                    "reaper-service/src/main/java/dev/baton/reaper/client/GiteaClient.java", "Gitea run conclusion",
                    "reaper-service/src/main/java/dev/baton/reaper/client/DeployStatusClient.java",
                    "rollout status"),
            "review", Map.of(
                    "webhook-gateway/src/main/java/dev/baton/gateway/webhook/GiteaNormalizer.java",
                    "Gitea webhook field",
                    "baton-infra/src/main/java/dev/baton/infra/fake/WebhookPayloads.java", "Gitea webhook field"));

    /**
     * Files that walk the built-in pipeline on purpose, as a test does: {@code ./baton demo} narrates
     * each of its stages, and the end-to-end benchmark and the chaos load drive items through it.
     */
    static final Set<String> BUILT_IN_WALKS = Set.of(
            "e2e/src/main/java/dev/baton/e2e/Demo.java",
            "e2e/src/main/java/dev/baton/e2e/bench/EndToEndBenchmark.java",
            "e2e/src/main/java/dev/baton/e2e/chaos/ChaosLoad.java");

    static final Pattern STAGE_KEY = Pattern.compile("\"key\"\\s*:\\s*\"([^\"]+)\"");

    @Test
    void noMainSourceWritesAStageKeyOfTheBuiltInPipeline() throws IOException {
        Set<String> keys = stageKeys();
        Path root = repositoryRoot();
        List<String> found = new ArrayList<>();
        int files = 0;
        for (Path java : mainSources(root)) {
            String file = root.relativize(java).toString().replace('\\', '/');
            if (BUILT_IN_WALKS.contains(file)) {
                continue;
            }
            files++;
            for (Literal literal : literals(Files.readString(java, StandardCharsets.UTF_8))) {
                for (String key : keys) {
                    boolean hit = literal.textBlock() ? literal.text().contains("\"" + key + "\"")
                            : literal.text().equals(key);
                    if (hit && !OTHER_VOCABULARY.getOrDefault(key, Map.of()).containsKey(file)) {
                        found.add(file + ":" + literal.line() + " \"" + key + "\"");
                    }
                }
            }
        }
        assertTrue(files > 100, "the scan saw the main sources of every module (" + files + " files under " + root + ")");
        assertEquals(List.of(), found, "stage keys of the built-in pipeline written in main code; move what they "
                + "mean into " + DEFINITION + " (see docs/pipeline.md)");
    }

    @Test
    void theLexerFindsLiteralsAndSkipsComments() {
        List<Literal> literals = literals("""
                // "review" in a line comment
                /* "testing" in a block comment */
                char q = '"'; String a = "review"; String b = "say \\"hi\\"";
                String json = \"""
                    {"stage": "deploy"}
                    \""";
                """);
        assertEquals(List.of("review", "say \\\"hi\\\""), literals.stream().filter(l -> !l.textBlock())
                .map(Literal::text).toList());
        assertEquals(1, literals.stream().filter(Literal::textBlock).count());
        assertTrue(literals.stream().filter(Literal::textBlock).findFirst().orElseThrow().text().contains("\"deploy\""));
        assertEquals(3, literals.get(0).line());
    }

    record Literal(String text, int line, boolean textBlock) {
    }

    /** The string literals and text blocks of a Java source, comments and char literals skipped. */
    static List<Literal> literals(String source) {
        List<Literal> literals = new ArrayList<>();
        int line = 1;
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (source.startsWith("//", i)) {
                i = source.indexOf('\n', i) < 0 ? source.length() : source.indexOf('\n', i);
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? source.length() : end + 2;
                line += count(source, i, end);
                i = end;
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                end = end < 0 ? source.length() : end;
                literals.add(new Literal(source.substring(i + 3, end), line, true));
                line += count(source, i, end);
                i = Math.min(source.length(), end + 3);
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < source.length() && source.charAt(j) != c && source.charAt(j) != '\n') {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                if (c == '"') {
                    literals.add(new Literal(source.substring(i + 1, Math.min(j, source.length())), line, false));
                }
                i = j + 1;
            } else {
                i++;
            }
        }
        return literals;
    }

    private static int count(String source, int from, int to) {
        int lines = 0;
        for (int k = from; k < to; k++) {
            lines += source.charAt(k) == '\n' ? 1 : 0;
        }
        return lines;
    }

    private static Set<String> stageKeys() throws IOException {
        try (InputStream in = PipelineLiteralScanTest.class.getClassLoader().getResourceAsStream(DEFINITION)) {
            assertTrue(in != null, DEFINITION + " is on the classpath");
            Matcher m = STAGE_KEY.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            Set<String> keys = new LinkedHashSet<>();
            while (m.find()) {
                keys.add(m.group(1));
            }
            assertTrue(keys.size() >= 5, "the built-in pipeline's stage keys: " + keys);
            return keys;
        }
    }

    /** baton-common's parent directory: the tests run in the module directory. */
    private static Path repositoryRoot() {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertTrue(Files.isRegularFile(root.resolve("pom.xml")) && Files.isDirectory(root.resolve("stage-service")),
                "run from baton-common inside the repository: " + root);
        return root;
    }

    private static List<Path> mainSources(Path root) throws IOException {
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).sorted().toList()) {
                try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
                    files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(sources::add);
                }
            }
        }
        return sources;
    }
}
