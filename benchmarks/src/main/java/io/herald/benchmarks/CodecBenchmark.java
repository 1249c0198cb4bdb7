package io.herald.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.internal.Filter;
import io.herald.internal.JsonCodec;
import io.herald.spi.ProtocolException;
import io.herald.spi.Request;
import io.herald.spi.ServerMessage;
import io.herald.spi.StoredEvent;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Throughput of the {@code herald.v1} JSON codec on the hot paths: decoding the two most frequent
 * requests, encoding an event (once per event, shared by all recipients) and a {@code subscribed}
 * answer, and evaluating a subscription filter (once per recipient).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CodecBenchmark -prof gc}. One instance is
 * shared by JMH's threads; every benchmark only reads it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CodecBenchmark {
    /** A realistic application payload of about 100 bytes. */
    static final String DATA = "{\"orderId\":\"ord-20251122-0042\",\"status\":\"paid\",\"amount\":129.95,"
            + "\"currency\":\"EUR\",\"items\":3,\"priority\":\"high\"}";

    private final JsonCodec codec = new JsonCodec();
    private String subscribeText;
    private String publishText;
    private byte[] publishBytes;
    private ServerMessage.Event event;
    private ServerMessage.Subscribed subscribed;
    private ServerMessage.Published published;
    private Filter filter;
    private JsonNode filterData;

    /** Creates the benchmark; JMH calls {@link #setUp()} before measuring. */
    public CodecBenchmark() {
    }

    /**
     * Builds the inputs and checks that they decode.
     *
     * @throws ProtocolException never, unless the codec is broken
     */
    @Setup
    public void setUp() throws ProtocolException {
        subscribeText = "{\"type\":\"subscribe\",\"ref\":\"17\",\"topics\":[\"orders.*\",\"tenant-7.orders.**\"],"
                + "\"since\":\"1732233600000-42\"}";
        publishText = "{\"type\":\"publish\",\"ref\":\"18\",\"topic\":\"orders.paid\",\"data\":" + DATA + "}";
        codec.decode(subscribeText);
        publishBytes = publishText.getBytes(UTF_8);
        codec.decode(publishText);
        event = new ServerMessage.Event(new StoredEvent("1732233600000-43", "orders.paid", DATA.getBytes(UTF_8),
                1_732_233_600_000L, null, "c-5f2a9"));
        published = new ServerMessage.Published("18", "1732233600000-43");
        subscribed = new ServerMessage.Subscribed("17", List.of("orders.*", "tenant-7.orders.**"), Boolean.TRUE);
        filter = Filter.compile(JsonCodec.readTree(
                "{\"priority\":[\"high\",\"critical\"],\"status\":\"paid\",\"amount\":{\"gte\":100}}".getBytes(UTF_8)));
        filterData = JsonCodec.readTree(DATA.getBytes(UTF_8));
        if (!filter.test(filterData)) {
            throw new IllegalStateException("the filter should match the data");
        }
    }

    /**
     * @return the decoded {@code subscribe} request
     * @throws ProtocolException never
     */
    @Benchmark
    public Request decodeSubscribe() throws ProtocolException {
        return codec.decode(subscribeText);
    }

    /**
     * @return the decoded {@code publish} request, its data copied out as written (what the Jakarta endpoint
     *     does with a text message)
     * @throws ProtocolException never
     */
    @Benchmark
    public Request decodePublish() throws ProtocolException {
        return codec.decode(publishText);
    }

    /**
     * @return the decoded {@code publish} request, parsed from the bytes received (what the core API does)
     * @throws ProtocolException never
     */
    @Benchmark
    public Request decodePublishBytes() throws ProtocolException {
        return codec.decodeText(publishBytes);
    }

    /** @return the encoded {@code event} frame, data copied in raw */
    @Benchmark
    public byte[] encodeEvent() {
        return codec.encode(event);
    }

    /** @return the encoded {@code published} answer to a publish with a ref */
    @Benchmark
    public byte[] encodePublished() {
        return codec.encode(published);
    }

    /** @return the encoded {@code subscribed} answer */
    @Benchmark
    public byte[] encodeSubscribed() {
        return codec.encode(subscribed);
    }

    /** @return whether the three-field filter matches the event's data */
    @Benchmark
    public boolean filterTest() {
        return filter.test(filterData);
    }
}
