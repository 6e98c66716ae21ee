package dev.baton.stage.lease;

import java.util.UUID;

/** Who a process is: a fresh boot id per registration, its pid and its host (pod name). */
public record ProcessIdentity(UUID bootId, long pid, String host) {
}
