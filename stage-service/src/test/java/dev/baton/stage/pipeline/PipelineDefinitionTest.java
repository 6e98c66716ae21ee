package dev.baton.stage.pipeline;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipelineDefinitionTest {

    static Stage stage(String key) {
        return new Stage(key, Map.of("en", key, "ru", key), false, false, List.of());
    }

    static Stage terminal(String key) {
        return new Stage(key, Map.of("en", key, "ru", key), true, false, List.of());
    }

    static Transition advance(String from, String to) {
        return new Transition(from, to, TransitionKind.ADVANCE, List.of());
    }

    @Test
    void builtInDefinitionIsValidAndComplete() {
        PipelineDefinition pipeline = PipelineLoader.load(Optional.empty(), PipelineLoader.PlaneOverrides.none());
        assertEquals(List.of("created", "analysis", "brd-approval", "architecture", "development", "review", "testing",
                "deploy-staging", "deploy", "done", "cancelled"), pipeline.stages().stream().map(Stage::key).toList());
        for (Stage stage : pipeline.stages()) {
            assertTrue(stage.label().containsKey("en") && stage.label().containsKey("ru"), "labels of " + stage.key());
            if (!stage.terminal()) {
                assertEquals(TransitionKind.CANCEL, pipeline.transition(stage.key(), "cancelled").orElseThrow().kind());
            }
        }
        assertEquals(TransitionKind.ROLLBACK, pipeline.transition("testing", "development").orElseThrow().kind());
        assertTrue(pipeline.transition("created", "done").isEmpty());
    }

    @Test
    void unknownStageIsRejectedByName() {
        InvalidPipelineException e = assertThrows(InvalidPipelineException.class, () -> PipelineDefinition.of(
                List.of(stage("a"), terminal("b")), List.of(advance("a", "b"), advance("a", "zz")), null));
        assertTrue(e.getMessage().contains("unknown stage 'zz'"), e.getMessage());
    }

    @Test
    void unreachableStageIsRejected() {
        InvalidPipelineException e = assertThrows(InvalidPipelineException.class, () -> PipelineDefinition.of(
                List.of(stage("a"), terminal("b"), terminal("island")), List.of(advance("a", "b")), null));
        assertTrue(e.getMessage().contains("'island' is unreachable"), e.getMessage());
    }

    @Test
    void transitionToNowhereIsRejected() {
        InvalidPipelineException e = assertThrows(InvalidPipelineException.class, () -> PipelineDefinition.of(
                List.of(stage("a"), terminal("b")), List.of(advance("a", "b"), advance("b", null)), null));
        assertTrue(e.getMessage().contains("goes nowhere"), e.getMessage());
    }

    @Test
    void deadEndAndTerminalExitAreRejected() {
        InvalidPipelineException e = assertThrows(InvalidPipelineException.class, () -> PipelineDefinition.of(
                List.of(stage("a"), stage("stuck"), terminal("b")),
                List.of(advance("a", "stuck"), advance("a", "b"), advance("b", "a")), null));
        assertTrue(e.getMessage().contains("leaves terminal stage 'b'"), e.getMessage());
        e = assertThrows(InvalidPipelineException.class, () -> PipelineDefinition.of(
                List.of(stage("a"), stage("stuck"), terminal("b")), List.of(advance("a", "stuck"), advance("a", "b")),
                null));
        assertTrue(e.getMessage().contains("'stuck' is not terminal but no transition leaves it"), e.getMessage());
    }

    @Test
    void unknownKindInAFileIsRejected() {
        InvalidPipelineException e = assertThrows(InvalidPipelineException.class, () -> PipelineLoader.parse(
                new PipelineLoader.PipelineFile(List.of(new PipelineLoader.StageEntry("a", Map.of("en", "A", "ru", "A"),
                        true, false, List.of(), null, false, null, null)),
                        List.of(new PipelineLoader.TransitionEntry("a", "a", "sideways", List.of())), null, null)));
        assertTrue(e.getMessage().contains("sideways"), e.getMessage());
    }

    @Test
    void builtInDefinitionCarriesWhatCodeUsedToHardCode() {
        PipelineDefinition pipeline = PipelineLoader.load(Optional.empty(), PipelineLoader.PlaneOverrides.none());
        assertEquals(Optional.of("testing"), pipeline.on("review", InboundFact.GITEA_PR_MERGED));
        assertEquals(Optional.empty(), pipeline.on("development", InboundFact.GITEA_PR_MERGED));
        assertEquals(Optional.of("cancelled"), pipeline.cancelTo());
        assertEquals(List.of("brd-approval"), pipeline.stages().stream().filter(Stage::recordsApproval).map(Stage::key)
                .toList());
        assertEquals(List.of("deploy-staging", "deploy"), pipeline.stages().stream()
                .filter(s -> "deploying".equals(s.cardGroup())).map(Stage::key).toList());
        assertEquals(Map.of("en", "Deploying", "ru", "Внедрение"), pipeline.cardGroups().get("deploying"));
        // With no Plane ids configured nothing is mirrored; names default to the English labels.
        assertEquals(Map.of(), pipeline.planeStateIds());
        assertEquals(List.of("brd-approval"), pipeline.stagesNamedInPlane("brd approval"));
    }

    @Test
    void everyProblemOfAFileIsNamedInOneMessage(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("broken.json");
        Files.writeString(file, """
                {"stages": [
                  {"key": "open", "label": {"en": "Open", "ru": "Открыто"}, "on": {"giteaPrMerged": "nowhere"},
                   "plane": {"id": "s-1", "name": "Doing"}},
                  {"key": "work", "label": {"en": "Work"}, "on": {"giteaPrExploded": "shut"}, "cardGroup": "busy",
                   "plane": {"id": "s-2", "name": "doing"}},
                  {"key": "shut", "label": {"en": "Shut", "ru": "Закрыто"}, "terminal": true, "recordsApproval": true,
                   "cardGroup": "ghost"}
                 ],
                 "transitions": [{"from": "open", "to": "work"}, {"from": "work", "to": "shut"}],
                 "cardGroups": {"busy": {"en": "Busy"}}}
                """);
        List<String> problems = PipelineLoader.problems(Optional.of(file.toString()),
                new PipelineLoader.PlaneOverrides(Optional.of("open=s-9,lost=s-3"), Optional.of("Waiting=nobody")));
        assertEquals(1, problems.size(), "one line: " + problems);
        String line = problems.get(0);
        for (String expected : List.of(
                "pipeline definition " + file + " is invalid",
                "BATON_PLANE_STATE_MAP names unknown stage 'lost'",
                "BATON_INBOUND_PLANE_STATES maps 'Waiting' to unknown stage 'nobody'",
                "stage 'open': on giteaPrMerged goes to unknown stage 'nowhere'",
                "stage 'work' has no 'ru' label",
                "stage 'work': 'on' names unknown fact 'giteaPrExploded'",
                "stage 'shut' records an approval, but no advance leaves it",
                "stage 'shut' is shown in unknown card group 'ghost'",
                "card group 'busy' has no 'ru' label",
                "Plane state 'doing' is given to stages 'open' and 'work' with different ids (s-9, s-2)")) {
            assertTrue(line.contains(expected), "names \"" + expected + "\": " + line);
        }
    }

    @Test
    void anOnTriggerNeedsADefinedTransitionAndAGroupItsNeighbours() {
        Stage a = new Stage("a", Map.of("en", "A", "ru", "A"), false, false, List.of(), Map.of("giteaPrClosed", "c"),
                false, "g", null);
        Stage b = new Stage("b", Map.of("en", "B", "ru", "B"), false, false, List.of(), Map.of(), false, null, null);
        Stage c = new Stage("c", Map.of("en", "C", "ru", "C"), true, false, List.of(), Map.of(), false, "g", null);
        InvalidPipelineException e = assertThrows(InvalidPipelineException.class, () -> PipelineDefinition.of(
                List.of(a, b, c), List.of(advance("a", "b"), advance("b", "c")), null,
                Map.of("g", Map.of("en", "G", "ru", "Г"))));
        assertTrue(e.getMessage().contains("on giteaPrClosed goes to 'c', but no transition a -> c is defined"),
                e.getMessage());
        assertTrue(e.getMessage().contains("card group 'g' shows stages that are not next to each other"), e.getMessage());
    }

    @Test
    void theDeploymentsPlaneStatesLayOverTheFilesAndFeedBothDirections() {
        PipelineDefinition pipeline = PipelineLoader.load(Optional.empty(), new PipelineLoader.PlaneOverrides(
                Optional.of("analysis=st-a,brd-approval=st-a,review=st-r"), Optional.of("In Review=review")));
        assertEquals(Map.of("analysis", "st-a", "brd-approval", "st-a", "review", "st-r"), pipeline.planeStateIds());
        assertEquals(List.of("review"), pipeline.stagesNamedInPlane("in review"));
        assertEquals(List.of("analysis"), pipeline.stagesNamedInPlane("Analysis"));
        assertEquals(List.of("development"), pipeline.stagesNamedInPlane("development"), "a stage key as the last resort");
    }
}
