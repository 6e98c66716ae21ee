package dev.baton.notifier.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stage labels come from the pipeline definition itself: every stage, both locales, its own label. */
class PipelineLabelsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Pipeline pipeline = Pipeline.builtIn(JSON);

    @Test
    void everyStageOfTheDefinitionRendersItsOwnLabelInBothLocales() throws Exception {
        JsonNode definition;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(Pipeline.BUILT_IN_RESOURCE)) {
            definition = JSON.readTree(in);
        }
        assertTrue(definition.path("stages").size() > 5, "the definition has its stages");
        for (CardLocale locale : CardLocale.values()) {
            Set<String> seen = new HashSet<>();
            for (JsonNode stage : definition.path("stages")) {
                String key = stage.path("key").asText();
                String own = stage.path("label").path(locale.code()).asText();
                assertFalse(own.isBlank(), key + " has a " + locale + " label in the definition");
                assertEquals(own, pipeline.label(key, locale), key + " in " + locale);
                assertTrue(seen.add(pipeline.label(key, locale)), "labels are distinct: " + key);
            }
        }
    }

    @Test
    void labelsReadAsInTheOriginalTracker() {
        assertEquals("To Analyse", pipeline.label("created", CardLocale.EN));
        assertEquals("Deploying (staging)", pipeline.label("deploy-staging", CardLocale.EN));
        assertEquals("Cancelled", pipeline.label("cancelled", CardLocale.EN));
        assertEquals("Подтверждение BRD", pipeline.label("brd-approval", CardLocale.RU));
        assertEquals("Разработка", pipeline.label("development", CardLocale.RU));
        assertEquals("Внедрение", pipeline.label("deploy", CardLocale.RU));
        assertEquals("📦 Внедрено", pipeline.label("done", CardLocale.RU));
    }

    @Test
    void aStageWithoutLabelGetsANeutralFormOfItsOwnKey() {
        Pipeline bare = Pipeline.from(new PipelineView(List.of(
                new PipelineView.StageView("development", Map.of("en", "Development", "ru", "Разработка"), false, null),
                new PipelineView.StageView("security-review", null, false, null),
                new PipelineView.StageView("perf_test", Map.of("en", "Perf test"), false, null)), List.of(), null));
        assertEquals("Security review", bare.label("security-review", CardLocale.EN));
        assertEquals("Security review", bare.label("security-review", CardLocale.RU));
        assertEquals("Perf test", bare.label("perf_test", CardLocale.RU), "falls back to its own English label");
        assertEquals("Qa signoff", bare.label("qa-signoff", CardLocale.EN), "a stage the pipeline does not know");
    }

    @Test
    void nullOrGarbageDegradesToANeutralLabel() {
        assertEquals("Unknown", pipeline.label(null, CardLocale.EN));
        assertEquals("Неизвестно", pipeline.label("", CardLocale.RU));
        assertEquals("Unknown", pipeline.label("<>&!!", CardLocale.EN));
        assertEquals("Script alert 1 script", pipeline.label("<script>alert(1)</script>", CardLocale.EN));
        assertEquals("Development", pipeline.label("development", null));
        assertTrue(pipeline.label("x".repeat(10_000), CardLocale.EN).length() < 60);
        Pipeline empty = Pipeline.from(null);
        assertEquals("Review", empty.label("review", CardLocale.EN));
        assertEquals(-1, empty.rowPosition("review"));
    }

    @Test
    void rowsAreTheWayToDoneWithBothDeployStagesOnTheirGroupsRow() {
        assertEquals(List.of("created", "analysis", "brd-approval", "architecture", "development", "review", "testing",
                "group:deploying", "done"), pipeline.rows());
        assertEquals(pipeline.rowPosition("deploy"), pipeline.rowPosition("deploy-staging"));
        assertEquals(7, pipeline.rowPosition("deploy"));
        assertEquals("Deploying", pipeline.rowLabel("group:deploying", CardLocale.EN));
        assertEquals("Внедрение", pipeline.rowLabel("group:deploying", CardLocale.RU));
        assertEquals("Testing", pipeline.rowLabel("testing", CardLocale.EN));
        assertEquals(-1, pipeline.rowPosition("cancelled"));
    }

    @Test
    void anotherPipelinesGroupAndCancelStageComeFromItsDefinitionAlone() {
        Pipeline hotfix = Pipeline.from(new PipelineView(List.of(
                new PipelineView.StageView("reported", Map.of("en", "Reported", "ru", "Заявлено"), false, null),
                new PipelineView.StageView("patch", Map.of("en", "Patch", "ru", "Патч"), false, "fixing"),
                new PipelineView.StageView("verify", Map.of("en", "Verify", "ru", "Проверка"), false, "fixing"),
                new PipelineView.StageView("shipped", Map.of("en", "Shipped", "ru", "Выпущено"), true, null),
                new PipelineView.StageView("dropped", Map.of("en", "Dropped", "ru", "Брошено"), true, null)),
                List.of(new PipelineView.TransitionView("verify", "shipped", "advance"),
                        new PipelineView.TransitionView("patch", "dropped", "cancel")),
                Map.of("fixing", Map.of("en", "Fixing", "ru", "Исправление"))));
        assertEquals(List.of("reported", "group:fixing", "shipped"), hotfix.rows());
        assertEquals(1, hotfix.rowPosition("patch"));
        assertEquals(1, hotfix.rowPosition("verify"));
        assertEquals(-1, hotfix.rowPosition("dropped"), "the cancel stage has no row");
        assertEquals("Исправление", hotfix.rowLabel("group:fixing", CardLocale.RU));
        assertEquals("Verify", hotfix.label("verify", CardLocale.EN), "the headline keeps the stage's own label");
    }
}
