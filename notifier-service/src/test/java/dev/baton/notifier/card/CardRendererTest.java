package dev.baton.notifier.card;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.notifier.pipeline.CardLocale;
import dev.baton.notifier.pipeline.Pipeline;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CardRendererTest {

    private final Pipeline pipeline = Pipeline.builtIn(new ObjectMapper());

    private static CardState card(String stage) {
        return new CardState("ORCH-114", "Add the tracker", "baton/baton", 12L, "https://git.example/baton/pulls/12",
                stage, null, null);
    }

    @Test
    void afterARollbackLaterStagesAreNotTicked() {
        String text = CardRenderer.render(card("development"), List.of(), pipeline, CardLocale.EN);
        assertTrue(text.contains("🔄 Development"), text);
        assertTrue(text.contains("✅ Architecture"), text);
        assertFalse(text.contains("✅ Deploying"), text);
        assertFalse(text.contains("✅ Review"), text);
        assertTrue(text.contains("⬜ Deploying"), text);
        assertTrue(text.contains("📍 Stage: <b>Development</b>"), text);
    }

    @Test
    void deployStagingSitsOnTheDeployRowButKeepsItsOwnLabel() {
        String text = CardRenderer.render(card("deploy-staging"), List.of(), pipeline, CardLocale.EN);
        assertTrue(text.contains("📍 Stage: <b>Deploying (staging)</b>"), text);
        assertTrue(text.contains("🔄 Deploying"), text);
        assertTrue(text.contains("✅ Testing"), text);
        assertTrue(text.contains("⬜ 📦 Deployed"), text);
    }

    @Test
    void doneTicksEveryRow() {
        String text = CardRenderer.render(card("done"), List.of(), pipeline, CardLocale.EN);
        assertEquals(9, text.split("✅", -1).length - 1, text);
        assertFalse(text.contains("🔄"), text);
    }

    @Test
    void unknownStageGetsANeutralLabelAndNoTicks() {
        String text = CardRenderer.render(card("qa-signoff"), List.of(), pipeline, CardLocale.EN);
        assertTrue(text.contains("<b>Qa signoff</b>"), text);
        assertFalse(text.contains("✅"), text);
        String none = CardRenderer.render(new CardState("ORCH-1", null, null, null, null, null, null, null),
                List.of(), pipeline, CardLocale.RU);
        assertTrue(none.contains("<b>Неизвестно</b>"), none);
    }

    @Test
    void costIsTheExactSumOverAllRunsOfEachAgent() {
        List<AgentTotal> agents = List.of(
                new AgentTotal("developer", "claude-opus", "high", 3, 3, new BigDecimal("0.600000"), 3000, 900),
                new AgentTotal("reviewer", "gpt-5", "medium", 1, 1, new BigDecimal("0.123400"), 1000, 100));
        String text = CardRenderer.render(card("review"), agents, pipeline, CardLocale.EN);
        assertTrue(text.contains("🤖 <b>developer</b> · claude-opus · high · attempt 3 · 3 runs — $0.60 · 3,000 in / 900 out"), text);
        assertTrue(text.contains("🤖 <b>reviewer</b> · gpt-5 · medium · attempt 1 · 1 run — $0.1234"), text);
        assertTrue(text.endsWith("💰 Total: $0.7234 · 5,000 tokens"), text);
        assertEquals("$0.30", CardRenderer.money(new BigDecimal("0.1").add(new BigDecimal("0.2"))));
    }

    @Test
    void everyDynamicStringIsEscaped() {
        CardState hostile = new CardState("ORCH-<1>", "a < b && c > d", "evil/<repo>", 7L,
                "https://x.example/?a=1&b=\"2\"", "<stage>", "development", "failed <&>");
        List<AgentTotal> agents = List.of(new AgentTotal("<agent>", "m&m", "<hi>", 1, 1, BigDecimal.ONE, 1, 1));
        String text = CardRenderer.render(hostile, agents, pipeline, CardLocale.EN);
        assertTrue(text.contains("<b>ORCH-&lt;1&gt;</b> — a &lt; b &amp;&amp; c &gt; d"), text);
        assertTrue(text.contains("<code>evil/&lt;repo&gt;</code>"), text);
        assertTrue(text.contains("href=\"https://x.example/?a=1&amp;b=&quot;2&quot;\""), text);
        assertTrue(text.contains("&lt;agent&gt;") && text.contains("m&amp;m") && text.contains("failed &lt;&amp;&gt;"), text);
        String withoutOurTags = text.replaceAll("</?(b|code)>|<a href=\"[^\"]*\">|</a>", "");
        assertFalse(withoutOurTags.contains("<") || withoutOurTags.contains(">"), withoutOurTags);
        assertEquals("a < b && c > d", Html.toPlain(Html.escape("a < b && c > d")));
    }

    @Test
    void neverLongerThanTelegramAllowsAndCutAtWholeLines() {
        List<AgentTotal> agents = new ArrayList<>();
        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i < 300; i++) {
            BigDecimal cost = new BigDecimal("0.01");
            sum = sum.add(cost);
            agents.add(new AgentTotal("agent-" + i + "-" + "&".repeat(20), "model", "high", 1, 1, cost, 10, 10));
        }
        CardState big = new CardState("ORCH-9", "t&".repeat(5_000), "r".repeat(5_000), 1L, "https://x/1", "review", null, null);
        String text = CardRenderer.render(big, agents, pipeline, CardLocale.EN);
        assertTrue(text.length() <= CardRenderer.MAX_LENGTH, "length " + text.length());
        assertTrue(text.contains("more lines"), text);
        assertTrue(text.endsWith("💰 Total: " + CardRenderer.money(sum) + " · 6,000 tokens"), "the total survives the cut");
        assertFalse(text.matches("(?s).*&[a-z]*\\n.*"), "no entity is cut in half");
    }

    @Test
    void russianCard() {
        List<AgentTotal> agents = List.of(new AgentTotal("developer", "m", null, 2, 3, BigDecimal.TEN, 1, 2));
        String text = CardRenderer.render(card("brd-approval"), agents, pipeline, CardLocale.RU);
        assertTrue(text.contains("📍 Этап: <b>Подтверждение BRD</b>"), text);
        assertTrue(text.contains("⬜ Разработка") && text.contains("✅ Анализ"), text);
        assertTrue(text.contains("попытка 2 · 3 запуска"), text);
        assertTrue(text.contains("💰 Итого: $10.00"), text);
    }
}
