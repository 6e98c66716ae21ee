package dev.baton.stage.console;

import dev.baton.stage.config.ConsoleConfig;
import dev.baton.stage.rest.OperatorAuth;
import dev.baton.stage.rest.OperatorAuth.Role;
import jakarta.enterprise.context.ApplicationScoped;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Console sessions without server state, so any replica accepts a session another issued:
 *
 * <ol>
 *   <li>login: a presented token is matched (constant-time) to a role; the cookie is
 *       {@code role.expiry.nonce.mac}, the MAC keyed by that role's configured token — the token
 *       itself never leaves the server, and changing it ends every session it signed;</li>
 *   <li>each request: the MAC is recomputed with the role's current token and the expiry checked;</li>
 *   <li>each POST: the CSRF token is a second MAC over the nonce, rendered into the page's forms
 *       and compared constant-time; a cross-site form cannot read it, and SameSite=Strict keeps
 *       the cookie off cross-site requests in the first place.</li>
 * </ol>
 */
@ApplicationScoped
public class ConsoleSessions {

    /** The session cookie's name. */
    public static final String COOKIE = "baton_console";

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final SecureRandom random = new SecureRandom();
    private final OperatorAuth auth;
    private final ConsoleConfig config;

    /** A verified session: what it may do and the CSRF token its forms carry. */
    public record Session(Role role, String csrf) {

        public boolean admin() {
            return role == Role.ADMIN;
        }

        /** Constant-time: a POST's CSRF token is this session's. */
        public boolean csrfMatches(String presented) {
            return presented != null && MessageDigest.isEqual(csrf.getBytes(StandardCharsets.US_ASCII),
                    presented.getBytes(StandardCharsets.US_ASCII));
        }
    }

    public ConsoleSessions(OperatorAuth auth, ConsoleConfig config) {
        this.auth = auth;
        this.config = config;
    }

    /** The cookie value for a fresh session of {@code role}; empty if that role has no token. */
    public Optional<String> issue(Role role) {
        byte[] nonce = new byte[18];
        random.nextBytes(nonce);
        String body = role.name() + "." + Instant.now().plus(config.sessionTtl()).getEpochSecond() + "."
                + B64.encodeToString(nonce);
        return auth.tokenOf(role).map(key -> body + "." + mac(key, body));
    }

    /** The session a cookie carries, if its MAC holds under the role's current token and it has not expired. */
    public Optional<Session> verify(String cookie) {
        if (cookie == null) {
            return Optional.empty();
        }
        String[] parts = cookie.split("\\.");
        if (parts.length != 4) {
            return Optional.empty();
        }
        Role role;
        long expiry;
        try {
            role = Role.valueOf(parts[0]);
            expiry = Long.parseLong(parts[1]);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (Instant.now().getEpochSecond() > expiry) {
            return Optional.empty();
        }
        String body = parts[0] + "." + parts[1] + "." + parts[2];
        return auth.tokenOf(role)
                .filter(key -> MessageDigest.isEqual(mac(key, body).getBytes(StandardCharsets.US_ASCII),
                        parts[3].getBytes(StandardCharsets.US_ASCII)))
                .map(key -> new Session(role, mac(key, "csrf." + parts[2])));
    }

    /** Seconds a session lives, for the cookie's Max-Age. */
    public long maxAgeSeconds() {
        return config.sessionTtl().toSeconds();
    }

    private static String mac(String key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return B64.encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
