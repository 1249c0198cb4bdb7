package io.herald.internal;

import io.herald.spi.Codec;
import io.herald.spi.Framing;
import io.herald.spi.OutboundFrame;
import io.herald.spi.ServerMessage;

/** Encodes a server message for one framing. Events go through {@link EncodedEvent}, which shares the bytes. */
final class Frames {
    private Frames() {
    }

    /**
     * @param codec the wire format
     * @param message the message
     * @param framing the recipient's framing
     * @return the frame, or {@code null} when the framing does not carry this message: answers on SSE, which
     *     has no requests, except {@code joined}, the member list of a room the stream joined when it
     *     opened (named, without {@code id:}, like presence)
     */
    static OutboundFrame encode(Codec codec, ServerMessage message, Framing framing) {
        if (framing == Framing.WEBSOCKET) {
            return OutboundFrame.message(codec.encode(message), false);
        }
        if (message instanceof ServerMessage.Event e) {
            return OutboundFrame.message(SseFrames.event(e.event().id(), codec.encode(message)), true);
        }
        String name;
        if (message instanceof ServerMessage.Connected) {
            name = "connected";
        } else if (message instanceof ServerMessage.Error) {
            name = "error";
        } else if (message instanceof ServerMessage.Presence) {
            name = "presence";
        } else if (message instanceof ServerMessage.Joined) {
            name = "joined";
        } else {
            return null;
        }
        return OutboundFrame.message(SseFrames.named(name, codec.encode(message)), false);
    }
}
