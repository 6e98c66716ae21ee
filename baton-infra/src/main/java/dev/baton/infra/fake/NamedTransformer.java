package dev.baton.infra.fake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import java.io.UncheckedIOException;

/**
 * A fake's stateful answer: a WireMock transformer that only the stubs naming it run (the fake's
 * other stubs answer as they are), with the JSON it reads requests with and writes answers in.
 */
public abstract class NamedTransformer implements ResponseDefinitionTransformerV2 {

    protected static final ObjectMapper JSON = new ObjectMapper();

    private final String name;

    protected NamedTransformer(String name) {
        this.name = name;
    }

    /** A JSON answer, as the real API writes it. */
    public static ResponseDefinition json(int status, Object body) {
        try {
            return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "application/json")
                    .withBody(JSON.writeValueAsString(body)).build();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public final boolean applyGlobally() {
        return false;
    }

    @Override
    public final String getName() {
        return name;
    }
}
