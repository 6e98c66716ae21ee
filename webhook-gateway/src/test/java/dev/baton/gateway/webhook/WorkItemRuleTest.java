package dev.baton.gateway.webhook;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class WorkItemRuleTest {

    private final WorkItemRule defaults = new WorkItemRule("[A-Z][A-Z0-9]+-\\d+");

    @Test
    void branchWinsOverTitle() {
        assertEquals(Optional.of("ORCH-7"), defaults.find("feature/ORCH-7-lease", "ORCH-9: something else"));
    }

    @Test
    void fallsBackToTheTitleAndSkipsMissingCandidates() {
        assertEquals(Optional.of("ORCH-12"), defaults.find(null, "", "Fix ORCH-12: lease"));
    }

    @Test
    void noKeyAnywhereIsEmpty() {
        assertEquals(Optional.empty(), defaults.find("main", "chore: bump deps"));
    }

    @Test
    void namedGroupPicksPartOfTheMatchAndKeysAreUpperCased() {
        WorkItemRule rule = new WorkItemRule("(?i)work/(?<key>[a-z]+-\\d+)");
        assertEquals(Optional.of("ORCH-3"), rule.find("work/orch-3-tidy"));
        assertFalse(WorkItemRule.isValid("([A-Z"));
    }
}
