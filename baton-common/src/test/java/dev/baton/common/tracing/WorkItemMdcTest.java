package dev.baton.common.tracing;

import org.jboss.logging.MDC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class WorkItemMdcTest {

    @AfterEach
    void clear() {
        MDC.remove(WorkItemMdc.KEY);
    }

    @Test
    void aSweepsLineNamesItsItemAndLeavesNoItemBehind() {
        List<Object> seen = new ArrayList<>();
        WorkItemMdc.around("ORCH-7", () -> seen.add(MDC.get("workItem")));
        assertEquals(List.of("ORCH-7"), seen);
        assertNull(MDC.get("workItem"));
    }

    @Test
    void anItemAlreadyInTheMdcComesBack() {
        MDC.put("workItem", "ORCH-1");
        WorkItemMdc.around("ORCH-2", () -> assertEquals("ORCH-2", MDC.get("workItem")));
        assertEquals("ORCH-1", MDC.get("workItem"));
    }
}
