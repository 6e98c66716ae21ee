package dev.baton.runner.agent;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultReaderTest {

    @Test
    void batonsResultFileIsReadWhole() {
        AgentResult r = ResultReader.resultFile("""
                {"costUsd":0.42,"tokensIn":1200,"tokensOut":300,"model":"sonnet","summary":"done",
                 "pullRequest":{"number":7,"url":"http://g/pr/7","headSha":"abc1234"},"coverage":87.5,"approved":true,
                 "deployed":{"environment":"staging","state":"success"}}""");
        assertEquals(List.of(), r.warnings());
        assertEquals(new BigDecimal("0.42"), r.costUsd());
        assertEquals(1200L, r.tokensIn());
        assertEquals(7, r.pullRequest().number());
        assertEquals("abc1234", r.pullRequest().headSha());
        assertEquals(new BigDecimal("87.5"), r.coverage());
        assertEquals(Boolean.TRUE, r.approved());
        assertEquals("staging", r.deployed().environment());
    }

    @Test
    void aFieldOfTheWrongTypeIsDroppedAndNamedTheRestIsKept() {
        AgentResult r = ResultReader.resultFile("""
                {"costUsd":"lots","tokensIn":12,"tokensOut":1.5,"coverage":140,"approved":"yes",
                 "pullRequest":{"number":3,"headSha":"NOT-HEX"}}""");
        assertNull(r.costUsd());
        assertEquals(12L, r.tokensIn());
        assertNull(r.tokensOut());
        assertNull(r.coverage());
        assertNull(r.approved());
        assertNull(r.pullRequest().headSha());
        String all = String.join("\n", r.warnings());
        for (String field : List.of("costUsd", "tokensOut", "coverage", "approved", "pullRequest.headSha")) {
            assertTrue(all.contains(field + ":"), field + " named in " + all);
        }
    }

    @Test
    void invalidJsonIsAWarningNotAnException() {
        AgentResult r = ResultReader.resultFile("{\"costUsd\": 0.5,");
        assertNull(r.costUsd());
        assertTrue(r.warnings().get(0).startsWith("result file is not valid JSON"), r.warnings().toString());
    }

    /** The shape `claude -p ... --output-format json` prints (field names from its docs). */
    @Test
    void claudeCodesResultObjectIsReadFromTheEndOfStdout() {
        String result = "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"duration_ms\":9100,"
                + "\"num_turns\":4,\"result\":\"Wrote the BRD.\",\"session_id\":\"s-1\",\"total_cost_usd\":0.0712,"
                + "\"usage\":{\"input_tokens\":2100,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":900,"
                + "\"output_tokens\":640},\"modelUsage\":{\"claude-sonnet-4-5\":{\"inputTokens\":2100}}}";
        AgentResult r = ResultReader.claudeStdout("some progress line\n" + result + "\n");
        assertEquals(List.of(), r.warnings());
        assertEquals(new BigDecimal("0.0712"), r.costUsd());
        assertEquals(2100L, r.tokensIn());
        assertEquals(640L, r.tokensOut());
        assertEquals("claude-sonnet-4-5", r.model());
        assertEquals("Wrote the BRD.", r.summary());
    }

    @Test
    void noClaudeResultObjectIsNamed() {
        AgentResult r = ResultReader.claudeStdout("Error: not logged in\n");
        assertTrue(r.warnings().get(0).contains("no Claude Code result object"), r.warnings().toString());
    }
}
