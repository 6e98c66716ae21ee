package dev.baton.stage.pipeline;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

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
        PipelineDefinition pipeline = new PipelineLoader().pipeline(java.util.Optional::empty);
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
                new PipelineLoader.PipelineFile(List.of(new PipelineLoader.StageEntry("a", Map.of(), true, false, List.of())),
                        List.of(new PipelineLoader.TransitionEntry("a", "a", "sideways", List.of())), null)));
        assertTrue(e.getMessage().contains("sideways"), e.getMessage());
    }
}
