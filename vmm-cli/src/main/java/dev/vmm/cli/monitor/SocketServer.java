package dev.vmm.cli.monitor;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.function.Supplier;

/**
 * A listening socket (Unix-domain through Netty's epoll transport, or TCP) whose connections get
 * a fresh pipeline from {@code initializer}. One event-loop thread serves all clients: the
 * monitor's work per message is small and never blocks on the guest.
 */
public final class SocketServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;
    private final ChardevSpec spec;

    private SocketServer(EventLoopGroup group, Channel channel, ChardevSpec spec) {
        this.group = group;
        this.channel = channel;
        this.spec = spec;
    }

    public static SocketServer listen(ChardevSpec spec, Supplier<ChannelInitializer<Channel>> initializer) throws IOException {
        EventLoopGroup group;
        ServerBootstrap b = new ServerBootstrap();
        Object address;
        if (spec.kind() == ChardevSpec.Kind.UNIX) {
            if (!Epoll.isAvailable()) {
                throw new IOException("Unix-domain sockets need Netty's epoll transport, unavailable here: "
                        + Epoll.unavailabilityCause().getMessage());
            }
            Files.deleteIfExists(spec.path()); // a stale socket from an earlier run, as QEMU does
            group = new EpollEventLoopGroup(1);
            b.group(group).channel(EpollServerDomainSocketChannel.class);
            address = new DomainSocketAddress(spec.path().toFile());
        } else {
            group = new NioEventLoopGroup(1);
            b.group(group).channel(NioServerSocketChannel.class);
            address = new InetSocketAddress(spec.host(), spec.port());
        }
        b.childHandler(initializer.get());
        try {
            Channel ch = b.bind((java.net.SocketAddress) address).sync().channel();
            return new SocketServer(group, ch, spec);
        } catch (Exception e) {
            group.shutdownGracefully();
            throw new IOException("cannot listen on " + spec + ": " + e.getMessage(), e);
        } 
    }

    /** The bound TCP port (useful with port 0), or -1 for a Unix socket. */
    public int port() {
        return channel.localAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        if (spec.kind() == ChardevSpec.Kind.UNIX) {
            try {
                Files.deleteIfExists(spec.path());
            } catch (IOException ignored) {
                // best effort: the socket file is only a name
            }
        }
    }
}
