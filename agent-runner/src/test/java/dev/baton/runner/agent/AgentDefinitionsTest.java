package dev.baton.runner.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentDefinitionsTest {

    static final Set<String> WORKED = WorkedStages.of(null);

    @TempDir
    Path dir;

    @Test
    void theBuiltInPipelinesWorkedStagesAreKnown() {
        assertTrue(WORKED.containsAll(List.of("analysis", "architecture", "development", "review", "testing")), WORKED.toString());
        assertTrue(!WORKED.contains("brd-approval") && !WORKED.contains("done"), WORKED.toString());
    }

    @Test
    void aValidFileIsReadWithItsDefaults() throws Exception {
        AgentDefinitions.Loaded loaded = load("""
                {"agents":{"analysis":{"command":["claude","-p","Analyse {workItem}: {title}"],"timeout":"20m",
                 "maxAttempts":2,"passEnv":["ANTHROPIC_API_KEY"],"env":{"ITEM":"{workItem}"},"output":"claude-json"},
                 "development":{"command":["aider"],"pullRequest":true}}}""");
        assertEquals(List.of(), loaded.problems());
        AgentDefinition analysis = loaded.definitions().forStage("analysis").orElseThrow();
        assertEquals(Duration.ofMinutes(20), analysis.timeout());
        assertEquals(2, analysis.maxAttempts());
        assertTrue(analysis.claudeJson());
        AgentDefinition development = loaded.definitions().forStage("development").orElseThrow();
        assertEquals(1, development.maxAttempts());
        assertEquals(Duration.ofMinutes(30), development.timeout());
        assertEquals("development-agent", development.agent());
        assertTrue(development.pullRequest());
    }

    @Test
    void everyProblemIsNamedAtOnce() throws Exception {
        AgentDefinitions.Loaded loaded = load("""
                {"agents":{"analysys":{"command":["x"]},
                           "analysis":{"command":[],"timeout":"soon","maxAttempts":0,"colour":"red"},
                           "testing":{"command":"npm test","passEnv":["NOT OK"]},
                           "review":{"command":["r","{secret}"],"output":"xml"}}}""");
        assertNull(loaded.definitions());
        String all = String.join("\n", loaded.problems());
        assertTrue(all.contains("agents.analysys: unknown stage 'analysys'"), all);
        assertTrue(all.contains("agents.analysis.command: must be a non-empty argv list"), all);
        assertTrue(all.contains("agents.analysis.timeout: 'soon' is not a positive duration"), all);
        assertTrue(all.contains("agents.analysis.maxAttempts: must be an integer 1..10"), all);
        assertTrue(all.contains("agents.analysis.colour: unknown field"), all);
        assertTrue(all.contains("agents.testing.command: must be a list of strings"), all);
        assertTrue(all.contains("agents.testing.passEnv: 'NOT OK' is not an environment variable name"), all);
        assertTrue(all.contains("agents.review.command: unknown placeholder {secret}"), all);
        assertTrue(all.contains("agents.review.output: must be"), all);
        assertEquals(9, loaded.problems().size(), all);
    }

    @Test
    void aRelativeProgramIsTheFileBesideTheAgentsFileABareNameIsLookedUpOnPath() throws Exception {
        AgentDefinitions agents = load("""
                {"agents":{"analysis":{"command":["examples/analysis.sh","{workItem}"]},"review":{"command":["claude"]}}}""")
                .definitions();
        assertEquals(dir.resolve("examples/analysis.sh").toString(), agents.forStage("analysis").orElseThrow().command().get(0));
        assertEquals("claude", agents.forStage("review").orElseThrow().command().get(0));
    }

    @Test
    void theShippedAgentsFileIsValid() {
        Path shipped = Path.of(System.getProperty("baton.root", "..")).resolve("agents/agents.json");
        AgentDefinitions.Loaded loaded = AgentDefinitions.load(shipped, WORKED);
        assertEquals(List.of(), loaded.problems());
        for (String stage : loaded.definitions().stages()) {
            assertTrue(Files.isExecutable(Path.of(loaded.definitions().forStage(stage).orElseThrow().command().get(0))),
                    stage + "'s example agent is an executable file");
        }
    }

    @Test
    void anUnreadableFileIsAProblemNotAnException() {
        AgentDefinitions.Loaded loaded = AgentDefinitions.load(dir.resolve("missing.json"), WORKED);
        assertNull(loaded.definitions());
        assertTrue(loaded.problems().get(0).startsWith("cannot read"), loaded.problems().toString());
    }

    @Test
    void aPlaceholderBecomesOneArgumentWhateverItHolds() {
        Map<String, String> values = Map.of("title", "x; rm -rf / $(reboot) {workItem}", "workItem", "ORCH-1");
        assertEquals("Do: x; rm -rf / $(reboot) {workItem} (ORCH-1)",
                AgentDefinitions.fill("Do: {title} ({workItem})", values));
    }

    private AgentDefinitions.Loaded load(String json) throws Exception {
        Path file = dir.resolve("agents.json");
        Files.writeString(file, json);
        return AgentDefinitions.load(file, WORKED);
    }
}
