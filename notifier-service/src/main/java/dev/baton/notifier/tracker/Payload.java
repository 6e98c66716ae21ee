package dev.baton.notifier.tracker;

import java.math.BigDecimal;
import java.util.Map;

/** Lenient reads of an event payload: a missing or malformed field is null, never an exception. */
final class Payload {

    private final Map<String, Object> fields;

    Payload(Map<String, Object> fields) {
        this.fields = fields == null ? Map.of() : fields;
    }

    String text(String key) {
        Object v = fields.get(key);
        return v == null ? null : String.valueOf(v);
    }

    Long number(String key) {
        Object v = fields.get(key);
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return v == null ? null : Long.parseLong(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    Integer integer(String key) {
        Long v = number(key);
        return v == null ? null : v.intValue();
    }

    /** Exact decimal: a JSON double goes through its shortest string form (0.1 stays 0.1). */
    BigDecimal decimal(String key) {
        Object v = fields.get(key);
        if (v == null) {
            return null;
        }
        try {
            return v instanceof BigDecimal d ? d : new BigDecimal(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
