package io.herald.transport.sse.contract;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A stream client that sends its request and then never reads: a socket with a 4 KiB receive buffer, so
 * TCP pushes back on the server as soon as the kernel buffers fill.
 */
public final class StalledReader implements AutoCloseable {
    private final Socket socket;

    private StalledReader(Socket socket) {
        this.socket = socket;
    }

    /**
     * @param uri the stream's address with its query
     * @return the client, its request sent
     */
    public static StalledReader open(URI uri) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        OutputStream out = s.getOutputStream();
        out.write(("GET " + target + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new StalledReader(s);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
