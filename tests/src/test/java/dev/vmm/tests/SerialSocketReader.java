package dev.vmm.tests;

import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Reads a guest's serial output from vmm's Unix serial socket ({@code -serial unix:PATH,server}). */
final class SerialSocketReader {
    private SerialSocketReader() {
    }

    /** What arrived until {@code marker} appeared, the socket closed, or {@code seconds} passed. */
    static String readUntil(Path socket, String marker, long seconds) throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            InputStream in = Channels.newInputStream(ch);
            StringBuilder sb = new StringBuilder();
            byte[] buf = new byte[4096];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!sb.toString().contains(marker) && System.nanoTime() < deadline) {
                int n = in.read(buf);
                if (n < 0) break;
                sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            return sb.toString();
        }
    }
}
