package dev.baton.common.tracing;

import org.jboss.logging.MDC;

/**
 * The MDC's {@code workItem} for a line written where no request or record names the work item:
 * a sweep that goes over many items on one thread (the reaper's). The previous value comes back
 * afterwards, so the sweep's own summary line names no item it happened to visit last.
 */
public final class WorkItemMdc {

    /** The MDC key every service logs the work item under (plain text: {@code %X{workItem}}). */
    public static final String KEY = "workItem";

    private WorkItemMdc() {
    }

    /** Runs {@code line} (a log call) with {@code workItem} in the MDC. */
    public static void around(String workItem, Runnable line) {
        Object before = MDC.get(KEY);
        MDC.put(KEY, workItem);
        try {
            line.run();
        } finally {
            if (before == null) {
                MDC.remove(KEY);
            } else {
                MDC.put(KEY, before.toString());
            }
        }
    }
}
