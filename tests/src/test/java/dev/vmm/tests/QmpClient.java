package dev.vmm.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A minimal QMP client over a Unix socket: one JSON message per line, events skipped on request. */
final class QmpClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private final SocketChannel channel;
    private final BufferedReader in;
    final JsonNode greeting;

    QmpClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        greeting = read();
    }

    void sendRaw(String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    JsonNode read() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("QMP connection closed");
        }
        return JSON.readTree(line);
    }

    /** The next reply, skipping asynchronous events. */
    JsonNode reply() throws IOException {
        JsonNode n;
        do {
            n = read();
        } while (n.has("event"));
        return n;
    }

    JsonNode execute(String command) throws IOException {
        sendRaw("{\"execute\":\"" + command + "\"}\r\n");
        return reply();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
