package dev.baton.notifier.card;

import dev.baton.notifier.pipeline.CardLocale;
import dev.baton.notifier.pipeline.Pipeline;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders the tracker card as Telegram HTML. Pure: the same state gives the same text, so its
 * hash tells whether Telegram needs a call at all.
 *
 * <p>Every dynamic string is escaped; each line is complete HTML on its own, so the length cap
 * drops whole lines and never cuts a tag or an entity in half.
 */
public final class CardRenderer {

    /** Telegram's limit for one message. */
    public static final int MAX_LENGTH = 4096;

    static final int MAX_TITLE = 256;
    static final int MAX_FIELD = 96;

    private CardRenderer() {
    }

    public static String render(CardState card, List<AgentTotal> agents, Pipeline pipeline, CardLocale locale) {
        Words w = Words.of(locale);
        List<String> head = new ArrayList<>();
        String title = card.title() == null || card.title().isBlank() ? "" : " — " + Html.escape(cut(card.title(), MAX_TITLE));
        head.add("<b>" + Html.escape(cut(card.workItem(), MAX_FIELD)) + "</b>" + title);
        List<String> where = new ArrayList<>();
        if (card.repo() != null && !card.repo().isBlank()) {
            where.add("📁 <code>" + Html.escape(cut(card.repo(), MAX_FIELD)) + "</code>");
        }
        String pr = prLink(card);
        if (pr != null) {
            where.add(pr);
        }
        if (!where.isEmpty()) {
            head.add(String.join(" · ", where));
        }
        head.add("📍 " + w.stage + ": <b>" + Html.escape(pipeline.label(card.stage(), locale)) + "</b>");

        List<String> body = new ArrayList<>();
        body.add("");
        int position = pipeline.rowPosition(card.stage());
        boolean finished = pipeline.isTerminal(card.stage()) && position >= 0;
        List<String> rows = pipeline.rows();
        for (int i = 0; i < rows.size(); i++) {
            // ✅ only at or before the current position: after a rollback the later rows are open again.
            String mark = i < position || (i == position && finished) ? "✅" : i == position ? "🔄" : "⬜";
            body.add(mark + " " + Html.escape(pipeline.rowLabel(rows.get(i), locale)));
        }
        if (card.jobStatus() != null) {
            body.add("");
            body.add("⚙️ " + w.job + " " + Html.escape(pipeline.label(card.jobStage(), locale)) + ": "
                    + Html.escape(cut(card.jobStatus(), MAX_FIELD)));
        }
        BigDecimal totalCost = BigDecimal.ZERO;
        long totalTokens = 0;
        if (!agents.isEmpty()) {
            body.add("");
        }
        for (AgentTotal agent : agents) {
            totalCost = totalCost.add(agent.costUsd());
            totalTokens += agent.tokensIn() + agent.tokensOut();
            List<String> detail = new ArrayList<>();
            for (String part : new String[] {agent.model(), agent.effort()}) {
                if (part != null && !part.isBlank()) {
                    detail.add(Html.escape(cut(part, MAX_FIELD)));
                }
            }
            if (agent.attempt() != null) {
                detail.add(w.attempt + " " + agent.attempt());
            }
            detail.add(w.runs(agent.runs()));
            body.add("🤖 <b>" + Html.escape(cut(agent.agent(), MAX_FIELD)) + "</b> · " + String.join(" · ", detail)
                    + " — " + money(agent.costUsd()) + " · " + tokens(agent.tokensIn()) + " in / "
                    + tokens(agent.tokensOut()) + " out");
        }
        List<String> tail = new ArrayList<>();
        if (!agents.isEmpty()) {
            tail.add("💰 " + w.total + ": " + money(totalCost) + " · " + tokens(totalTokens) + " " + w.tokens);
        }
        return fit(head, body, tail, w);
    }

    /** The stub an old card becomes when bump mode cannot delete it (older than 48 h). */
    public static String movedStub(String workItem, CardLocale locale) {
        return "<b>" + Html.escape(cut(workItem, MAX_FIELD)) + "</b> " + Words.of(locale).moved;
    }

    /** Costs exactly as summed: no rounding, at least two decimals. */
    public static String money(BigDecimal amount) {
        BigDecimal exact = amount.stripTrailingZeros();
        if (exact.scale() < 2) {
            exact = exact.setScale(2, RoundingMode.UNNECESSARY);
        }
        return "$" + exact.toPlainString();
    }

    private static String tokens(long count) {
        return String.format(Locale.ROOT, "%,d", count);
    }

    private static String prLink(CardState card) {
        String label = card.prNumber() == null ? "PR" : "PR #" + card.prNumber();
        if (card.prUrl() != null && (card.prUrl().startsWith("https://") || card.prUrl().startsWith("http://"))) {
            return "<a href=\"" + Html.escape(cut(card.prUrl(), 512)) + "\">" + label + "</a>";
        }
        return card.prNumber() == null ? null : label;
    }

    /** Head and tail always stay; body lines are kept in order while they fit, then one "… more" line. */
    private static String fit(List<String> head, List<String> body, List<String> tail, Words w) {
        String full = join(head, body, tail);
        if (full.length() <= MAX_LENGTH) {
            return full;
        }
        List<String> kept = new ArrayList<>();
        int budget = MAX_LENGTH - join(head, List.of(), tail).length() - 32;
        int used = 0;
        int i = 0;
        for (; i < body.size(); i++) {
            int cost = body.get(i).length() + 1;
            if (used + cost > budget) {
                break;
            }
            kept.add(body.get(i));
            used += cost;
        }
        kept.add("… " + (body.size() - i) + " " + w.moreLines);
        String text = join(head, kept, tail);
        // Head and tail are bounded by the per-field caps; this is a last resort, not the normal path.
        return text.length() <= MAX_LENGTH ? text : Html.escape(cut(Html.toPlain(text), MAX_LENGTH / 6));
    }

    private static String join(List<String> head, List<String> body, List<String> tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(body);
        all.addAll(tail);
        return String.join("\n", all);
    }

    static String cut(String text, int max) {
        if (text == null) {
            return "";
        }
        String flat = text.replaceAll("[\\r\\n\\t]+", " ");
        if (flat.length() <= max) {
            return flat;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(flat.charAt(end - 1))) {
            end--;
        }
        return flat.substring(0, end) + "…";
    }

    private record Words(String stage, String job, String attempt, String total, String tokens, String moreLines,
                         String moved, String run, String runsFew, String runsMany) {

        static Words of(CardLocale locale) {
            return locale == CardLocale.RU
                    ? new Words("Этап", "Задание", "попытка", "Итого", "токенов", "строк скрыто",
                    "— карточка перенесена ниже ↓", "запуск", "запуска", "запусков")
                    : new Words("Stage", "Job", "attempt", "Total", "tokens", "more lines",
                    "— card moved ↓", "run", "runs", "runs");
        }

        String runs(int n) {
            if (!runsFew.equals(runsMany)) {
                return n + " " + russianPlural(n);
            }
            return n + " " + (n == 1 ? run : runsMany);
        }

        private String russianPlural(int n) {
            int mod10 = n % 10;
            int mod100 = n % 100;
            String word = mod10 == 1 && mod100 != 11 ? run
                    : mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14) ? runsFew : runsMany;
            return word;
        }
    }
}
