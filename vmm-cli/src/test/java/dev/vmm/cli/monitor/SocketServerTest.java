package dev.vmm.cli.monitor;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 14: Unix sockets were 0755 (0777 under umask 000) and a regular file at the path was deleted. */
class SocketServerTest {
    @TempDir
    Path tmp;

    private static SocketServer listen(Path path) throws IOException {
        return SocketServer.listen(ChardevSpec.parse("--qmp", "unix:" + path), () -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter());
            }
        });
    }

    @Test
    void theSocketIsOwnerOnlyAndGoneAfterClose() throws Exception {
        Path sock = tmp.resolve("q.sock");
        try (SocketServer s = listen(sock)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(sock)); // reachable under its real name
            }
        }
        assertFalse(Files.exists(sock), "removed on close");
        try (var left = Files.list(tmp)) {
            assertEquals(0, left.count(), "no private bind directory left behind");
        }
    }

    @Test
    void aRegularFileAtThePathIsNeverDeleted() throws Exception {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "mine");
        IOException e = assertThrows(IOException.class, () -> listen(file).close());
        assertTrue(e.getMessage().contains("exists and is not a socket"), e.getMessage());
        assertEquals("mine", Files.readString(file));
    }

    @Test
    void aStaleSocketIsReplaced() throws Exception {
        Path sock = tmp.resolve("q.sock");
        // a run that was killed leaves its socket behind: a closed channel keeps the file
        SocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(sock)).close();
        assertTrue(Files.exists(sock));
        try (SocketServer s = listen(sock)) {
            assertTrue(Files.exists(sock));
        }
    }

    @Test
    void onlyLoopbackAddressesCountAsLocal() {
        assertTrue(SocketServer.isLoopback("127.0.0.1"));
        assertTrue(SocketServer.isLoopback("::1"));
        assertTrue(SocketServer.isLoopback("localhost"));
        assertFalse(SocketServer.isLoopback("0.0.0.0"));
    }
}
