package dev.baton.gateway.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Checks an HMAC-SHA256 signature over the exact bytes received, before anything parses them.
 *
 * <ol>
 *   <li>No secret configured, or no/blank signature: refused. Baton never accepts an unsigned delivery.</li>
 *   <li>The header is decoded as hex (a malformed one is refused, not an error).</li>
 *   <li>The MAC of the raw body is compared with {@link MessageDigest#isEqual}, whose time does not
 *       depend on where the first differing byte is, so the comparison leaks nothing about the secret.</li>
 * </ol>
 */
public final class SignatureVerifier {

    private static final String ALGORITHM = "HmacSHA256";
    private static final int MAC_BYTES = 32;

    private SignatureVerifier() {
    }

    /** Why a signature was refused; {@link #VALID} when it matched. */
    public enum Verdict { VALID, NO_SECRET, MISSING, MALFORMED, MISMATCH }

    /** Verifies a bare lower- or upper-case hex signature of {@code body}. */
    public static Verdict verifyHex(Optional<String> secret, byte[] body, String signatureHex) {
        if (secret.isEmpty() || secret.get().isBlank()) {
            return Verdict.NO_SECRET;
        }
        if (signatureHex == null || signatureHex.isBlank()) {
            return Verdict.MISSING;
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(signatureHex.trim());
        } catch (IllegalArgumentException e) {
            return Verdict.MALFORMED;
        }
        if (presented.length != MAC_BYTES) {
            return Verdict.MALFORMED;
        }
        return MessageDigest.isEqual(hmac(secret.get(), body), presented) ? Verdict.VALID : Verdict.MISMATCH;
    }

    /** The hex HMAC-SHA256 of {@code body} under {@code secret}, as Plane and Gitea send it. */
    public static String sign(String secret, byte[] body) {
        return HexFormat.of().formatHex(hmac(secret, body));
    }

    private static byte[] hmac(String secret, byte[] body) {
        try {
            // A Mac is not thread-safe and cheap to make; one per delivery.
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
