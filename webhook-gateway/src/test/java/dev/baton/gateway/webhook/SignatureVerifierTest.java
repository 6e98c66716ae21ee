package dev.baton.gateway.webhook;

import dev.baton.gateway.webhook.SignatureVerifier.Verdict;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SignatureVerifierTest {

    private static final Optional<String> SECRET = Optional.of("s3cret");
    private static final byte[] BODY = "{\"event\":\"issue\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void knownVectorMatchesRfc4231StyleHmac() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), the widely published vector.
        assertEquals("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
                SignatureVerifier.sign("key", "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void acceptsTheHexHmacOfTheExactBytesInEitherCase() {
        String hex = SignatureVerifier.sign("s3cret", BODY);
        assertEquals(Verdict.VALID, SignatureVerifier.verifyHex(SECRET, BODY, hex));
        assertEquals(Verdict.VALID, SignatureVerifier.verifyHex(SECRET, BODY, hex.toUpperCase(Locale.ROOT)));
    }

    @Test
    void refusesEverythingWithoutAConfiguredSecret() {
        String hex = SignatureVerifier.sign("s3cret", BODY);
        assertEquals(Verdict.NO_SECRET, SignatureVerifier.verifyHex(Optional.empty(), BODY, hex));
        assertEquals(Verdict.NO_SECRET, SignatureVerifier.verifyHex(Optional.of("  "), BODY, hex));
    }

    @Test
    void refusesMissingMalformedAndWrongSignatures() {
        String hex = SignatureVerifier.sign("s3cret", BODY);
        assertEquals(Verdict.MISSING, SignatureVerifier.verifyHex(SECRET, BODY, null));
        assertEquals(Verdict.MISSING, SignatureVerifier.verifyHex(SECRET, BODY, ""));
        assertEquals(Verdict.MALFORMED, SignatureVerifier.verifyHex(SECRET, BODY, "sha256=" + hex));
        assertEquals(Verdict.MALFORMED, SignatureVerifier.verifyHex(SECRET, BODY, hex.substring(2)));
        assertEquals(Verdict.MALFORMED, SignatureVerifier.verifyHex(SECRET, BODY, "zz" + hex.substring(2)));
        assertEquals(Verdict.MISMATCH, SignatureVerifier.verifyHex(SECRET, BODY, SignatureVerifier.sign("other", BODY)));
        byte[] tampered = BODY.clone();
        tampered[3] ^= 1;
        assertEquals(Verdict.MISMATCH, SignatureVerifier.verifyHex(SECRET, tampered, hex));
    }
}
