package dev.baton.stage.rest;

import dev.baton.stage.ProblemException;
import dev.baton.stage.config.AdminConfig;
import dev.baton.stage.config.ConsoleConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who an operator token belongs to. Comparisons are constant-time, and a token that is not
 * configured matches nothing, so an unset admin token refuses every operator action.
 */
@ApplicationScoped
public class OperatorAuth {

    /** What a token may do: read the console, or read and act. */
    public enum Role { VIEWER, ADMIN }

    private final AdminConfig admin;
    private final ConsoleConfig console;

    public OperatorAuth(AdminConfig admin, ConsoleConfig console) {
        this.admin = admin;
        this.console = console;
    }

    /** The role of a presented token; empty if it matches neither configured token. */
    public Optional<Role> roleOf(String presented) {
        if (matches(admin.token(), presented)) {
            return Optional.of(Role.ADMIN);
        }
        return matches(console.token(), presented) ? Optional.of(Role.VIEWER) : Optional.empty();
    }

    /** The configured token of a role: the key its console sessions are signed with. */
    public Optional<String> tokenOf(Role role) {
        return (role == Role.ADMIN ? admin.token() : console.token()).filter(t -> !t.isBlank());
    }

    /** Refuses (401) unless the header is {@code Bearer <admin token>}. */
    public void requireAdmin(String authorization) {
        String presented = authorization != null && authorization.startsWith("Bearer ")
                ? authorization.substring("Bearer ".length()).trim() : null;
        if (roleOf(presented).orElse(null) != Role.ADMIN) {
            throw new ProblemException(401, "Unauthorized",
                    "a valid 'Authorization: Bearer <admin token>' header is required");
        }
    }

    private static boolean matches(Optional<String> configured, String presented) {
        String expected = configured.filter(t -> !t.isBlank()).orElse(null);
        return expected != null && presented != null && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }
}
