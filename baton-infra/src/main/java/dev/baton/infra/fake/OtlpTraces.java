package dev.baton.infra.fake;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.baton.infra.SpanTree;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trace collector for the local stack: the OTLP/HTTP endpoint {@code POST /v1/traces}
 * ({@code application/x-protobuf}, what the services export to with {@code BATON_OTEL_ENDPOINT} and
 * {@code QUARKUS_OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf}) keeps the spans of the last
 * {@value #KEEP_TRACES} traces; {@code GET /__fake/traces} lists those about a work item (trace id, work
 * item, span count, root span; the pollers' own statements, a trace each, are left out) and
 * {@code GET /__fake/traces/{id}} shows any one as text ({@link SpanTree}).
 *
 * <p>The request is read by its protobuf wire format (opentelemetry-proto's
 * {@code ExportTraceServiceRequest}: resource spans -> resource attributes and scope spans -> spans),
 * only the fields the text shows; any other field is skipped by its wire type.
 */
final class OtlpTraces extends NamedTransformer {

    static final String NAME = "baton-fake-otlp";
    static final int KEEP_TRACES = 5000;
    private static final String[] KINDS = {"UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"};

    /** Trace id -> its spans, oldest trace first. */
    private final Map<String, List<SpanTree.Span>> traces = new LinkedHashMap<>();

    OtlpTraces() {
        super(NAME);
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        String path = event.getRequest().getUrl().replaceFirst("\\?.*", "");
        if (path.equals("/v1/traces")) {
            add(parse(event.getRequest().getBody()));
            // An empty ExportTraceServiceResponse: zero bytes.
            return new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", "application/x-protobuf")
                    .withBody(new byte[0]).build();
        }
        if (path.equals("/__fake/traces")) {
            return json(200, list());
        }
        String id = path.substring("/__fake/traces/".length());
        String text = text(id);
        return text == null ? json(404, Map.of("error", "no trace " + id))
                : new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", "text/plain; charset=utf-8")
                        .withBody(text).build();
    }

    synchronized void add(List<SpanTree.Span> spans) {
        for (SpanTree.Span span : spans) {
            traces.computeIfAbsent(span.traceId(), t -> new ArrayList<>()).add(span);
        }
        while (traces.size() > KEEP_TRACES) {
            traces.remove(traces.keySet().iterator().next());
        }
    }

    /** One trace as text; null if unknown. */
    synchronized String text(String traceId) {
        List<SpanTree.Span> spans = traces.get(traceId);
        return spans == null ? null : SpanTree.render(traceId, List.copyOf(spans));
    }

    synchronized List<Map<String, Object>> list() {
        List<Map<String, Object>> all = new ArrayList<>();
        traces.forEach((id, spans) -> {
            String workItem = spans.stream().map(s -> s.attributes().get("baton.work_item"))
                    .filter(w -> w != null).findFirst().orElse(null);
            if (workItem == null) {
                return;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("traceId", id);
            row.put("workItem", workItem);
            row.put("spans", spans.size());
            row.put("root", spans.stream().filter(s -> spans.stream().noneMatch(p -> p.spanId().equals(s.parentSpanId())))
                    .map(s -> s.name() + " [" + s.service() + "]").findFirst().orElse(null));
            all.add(row);
        });
        return all;
    }

    /** The spans of one {@code ExportTraceServiceRequest}. */
    static List<SpanTree.Span> parse(byte[] request) {
        List<SpanTree.Span> spans = new ArrayList<>();
        Wire in = new Wire(request);
        while (in.more()) {
            int tag = in.tag();
            if (tag == 1) {
                resourceSpans(in.message(), spans);
            } else {
                in.skip();
            }
        }
        return spans;
    }

    private static void resourceSpans(Wire in, List<SpanTree.Span> spans) {
        String service = "?";
        List<Wire> scopes = new ArrayList<>();
        while (in.more()) {
            int tag = in.tag();
            if (tag == 1) {
                Map<String, String> resource = attributes(in.message(), 1);
                service = resource.getOrDefault("service.name", "?");
            } else if (tag == 2) {
                scopes.add(in.message());
            } else {
                in.skip();
            }
        }
        for (Wire scope : scopes) {
            while (scope.more()) {
                if (scope.tag() == 2) {
                    spans.add(span(scope.message(), service));
                } else {
                    scope.skip();
                }
            }
        }
    }

    private static SpanTree.Span span(Wire in, String service) {
        String traceId = "";
        String spanId = "";
        String parent = "";
        String name = "";
        String kind = KINDS[0];
        Map<String, String> attributes = new LinkedHashMap<>();
        while (in.more()) {
            switch (in.tag()) {
                case 1 -> traceId = HexFormat.of().formatHex(in.bytes());
                case 2 -> spanId = HexFormat.of().formatHex(in.bytes());
                case 4 -> parent = HexFormat.of().formatHex(in.bytes());
                case 5 -> name = in.string();
                case 6 -> kind = KINDS[(int) Math.min(in.varint(), KINDS.length - 1)];
                case 9 -> attributes.putAll(attribute(in.message()));
                default -> in.skip();
            }
        }
        return new SpanTree.Span(traceId, spanId, parent.isEmpty() ? "0000000000000000" : parent, name, kind,
                service, attributes);
    }

    /** The {@code KeyValue}s in field {@code field} of a message. */
    private static Map<String, String> attributes(Wire in, int field) {
        Map<String, String> all = new LinkedHashMap<>();
        while (in.more()) {
            if (in.tag() == field) {
                all.putAll(attribute(in.message()));
            } else {
                in.skip();
            }
        }
        return all;
    }

    /** One {@code KeyValue}: key, and its {@code AnyValue} as text (string, bool, int or double). */
    private static Map<String, String> attribute(Wire in) {
        String key = null;
        String value = null;
        while (in.more()) {
            int tag = in.tag();
            if (tag == 1) {
                key = in.string();
            } else if (tag == 2) {
                Wire any = in.message();
                while (any.more()) {
                    switch (any.tag()) {
                        case 1 -> value = any.string();
                        case 2 -> value = String.valueOf(any.varint() != 0);
                        case 3 -> value = String.valueOf(any.varint());
                        case 4 -> value = String.valueOf(Double.longBitsToDouble(any.fixed64()));
                        default -> any.skip();
                    }
                }
            } else {
                in.skip();
            }
        }
        return key == null || value == null ? Map.of() : Map.of(key, value);
    }

    /** A protobuf message's bytes, read field by field. */
    private static final class Wire {

        private final ByteBuffer buffer;
        private int wireType;

        Wire(byte[] bytes) {
            this(ByteBuffer.wrap(bytes));
        }

        private Wire(ByteBuffer buffer) {
            this.buffer = buffer.order(ByteOrder.LITTLE_ENDIAN);
        }

        boolean more() {
            return buffer.hasRemaining();
        }

        /** The next field's number (its wire type kept for the read that follows). */
        int tag() {
            long key = varint();
            wireType = (int) (key & 7);
            return (int) (key >>> 3);
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = buffer.get();
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("malformed varint");
        }

        long fixed64() {
            return buffer.getLong();
        }

        byte[] bytes() {
            byte[] bytes = new byte[(int) varint()];
            buffer.get(bytes);
            return bytes;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Wire message() {
            int length = (int) varint();
            ByteBuffer slice = buffer.slice(buffer.position(), length);
            buffer.position(buffer.position() + length);
            return new Wire(slice);
        }

        void skip() {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> buffer.position(buffer.position() + 8);
                case 2 -> {
                    int length = (int) varint(); // read first: it moves the position
                    buffer.position(buffer.position() + length);
                }
                case 5 -> buffer.position(buffer.position() + 4);
                default -> throw new IllegalArgumentException("unsupported wire type " + wireType);
            }
        }
    }
}
