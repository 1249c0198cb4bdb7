package io.herald.spi;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The wire format: decodes client requests and encodes server messages. The JSON protocol is the
 * default; an application that migrates from another system can speak that system's format instead.
 *
 * <p>Thread-safe and stateless. Called on the thread delivering an inbound message (decode) or on the
 * publishing thread (encode); never blocks. An event is encoded once and the bytes go to every recipient,
 * so {@link #encode} must not depend on the recipient.
 */
public interface Codec {
    /**
     * @param text one inbound text message
     * @return the request
     * @throws ProtocolException when the message is not a valid request; its code and message are sent
     *     to the client ({@code BAD_REQUEST}, {@code UNKNOWN_TYPE}, {@code TOO_LARGE} …)
     */
    Request decode(String text) throws ProtocolException;

    /**
     * Decodes one inbound text message given as the bytes received, for transports that have them: a codec
     * that parses bytes saves building a {@code String} first. The default decodes them and calls
     * {@link #decode(String)}.
     *
     * @param utf8 one inbound text message, already checked to be well-formed UTF-8; not modified, and not
     *     kept unless the request says so ({@link Request.Publish#data()} may be a copy of part of it)
     * @return the request
     * @throws ProtocolException as {@link #decode(String)}
     */
    default Request decodeText(byte[] utf8) throws ProtocolException {
        return decode(new String(utf8, StandardCharsets.UTF_8));
    }

    /**
     * @param bytes one inbound binary message
     * @return the request
     * @throws ProtocolException when binary messages are not accepted or the bytes are not a request
     */
    Request decode(byte[] bytes) throws ProtocolException;

    /**
     * @param message a server message
     * @return its encoding, UTF-8 text
     */
    byte[] encode(ServerMessage message);

    /**
     * Wraps already-encoded messages into one batch message, for clients that asked for batching.
     * Must not re-encode the parts.
     *
     * @param frames encoded messages, in order
     * @return the batch's encoding
     */
    byte[] encodeBatch(List<byte[]> frames);
}
