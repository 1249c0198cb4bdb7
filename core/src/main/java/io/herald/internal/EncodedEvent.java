package io.herald.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.spi.Codec;
import io.herald.spi.Framing;
import io.herald.spi.OutboundFrame;
import io.herald.spi.ServerMessage;
import io.herald.spi.StoredEvent;
import java.util.List;

/**
 * An event on its way out: encoded at most once per framing, however many connections receive it, and
 * its data parsed at most once, for filters. Confined to the thread holding the hub's publish lock (or to
 * a single resume), so the lazy fields need no synchronization.
 *
 * <p>A resume's held frames are of this type too, and among them may be frames that are no event (presence
 * frames, see {@link #notAnEvent}), so that they keep their place among the events held with them.
 */
final class EncodedEvent {
    /** The event; {@code null} for a frame that is no event. */
    final StoredEvent event;
    private final Codec codec;
    private final boolean droppable;
    /** See {@link #sseThenId()}. */
    private final String sseThenId;
    private byte[] json;
    private OutboundFrame webSocket;
    private OutboundFrame sse;
    private List<OutboundFrame> webSocketBatch;
    private List<OutboundFrame> sseBatch;
    private JsonNode tree;
    /** What the codec threw when asked to encode the event; {@code null}: it did not fail. */
    private RuntimeException failure;

    EncodedEvent(StoredEvent event, Codec codec, boolean droppable) {
        this(event, codec, droppable, null);
    }

    /**
     * @param sseThenId over SSE, the id the browser keeps once it has read the event ({@link SseFrames#eventThenCursor});
     *     {@code null}: the event's own
     */
    EncodedEvent(StoredEvent event, Codec codec, boolean droppable, String sseThenId) {
        this.event = event;
        this.codec = codec;
        this.droppable = droppable;
        this.sseThenId = sseThenId;
    }

    /**
     * @param frame a frame that is no event, already encoded for the one connection that holds it
     * @return the frame as a held item: {@link #event} is {@code null} and {@link #frame} is {@code frame}
     *     whatever the framing
     */
    static EncodedEvent notAnEvent(OutboundFrame frame) {
        EncodedEvent held = new EncodedEvent(null, null, frame.droppable());
        held.webSocket = frame;
        held.sse = frame;
        return held;
    }

    /**
     * @param framing the recipient's framing
     * @return the shared frame for that framing
     */
    OutboundFrame frame(Framing framing) {
        if (framing == Framing.SSE) {
            if (sse == null) {
                sse = OutboundFrame.message(sseThenId == null ? SseFrames.event(event.id(), json())
                        : SseFrames.eventThenCursor(event.id(), json(), sseThenId), droppable);
            }
            return sse;
        }
        if (webSocket == null) {
            webSocket = OutboundFrame.message(json(), droppable);
        }
        return webSocket;
    }

    /**
     * @return over SSE, the id the browser keeps once it has read this event: {@code null} when it is the
     *     event's own, else an id that follows the event's frame in an id-only block
     */
    String sseThenId() {
        return sseThenId;
    }

    /**
     * @param framing the recipient's framing
     * @return an immutable batch holding just {@link #frame}, shared by every recipient with that framing
     */
    List<OutboundFrame> batch(Framing framing) {
        if (framing == Framing.SSE) {
            if (sseBatch == null) {
                sseBatch = List.of(frame(framing));
            }
            return sseBatch;
        }
        if (webSocketBatch == null) {
            webSocketBatch = List.of(frame(framing));
        }
        return webSocketBatch;
    }

    /**
     * @throws RuntimeException what the codec threw; kept and thrown again on each later call, so that a
     *     fan-out to many recipients asks the codec once
     */
    private byte[] json() {
        if (json == null) {
            if (failure != null) {
                throw failure;
            }
            try {
                json = codec.encode(new ServerMessage.Event(event));
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
        return json;
    }

    /** @return the event's data as a tree, parsed once */
    JsonNode data() {
        if (tree == null) {
            tree = JsonCodec.readTree(event.data());
        }
        return tree;
    }
}
