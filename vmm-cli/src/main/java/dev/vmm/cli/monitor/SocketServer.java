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
import java.util.function.Supplier;

/**
 * A listening socket (Unix-domain through Netty's epoll transport, or TCP) whose connections get
 * a fresh pipeline from {@code initializer}. One event-loop thread serves all clients: the
 * monitor's work per message is small and never blocks on the guest.
 */
public final class SocketServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;
    private final UnixSocketPath unixPath; // null for TCP

    private SocketServer(EventLoopGroup group, Channel channel, UnixSocketPath unixPath) {
        this.group = group;
        this.channel = channel;
        this.unixPath = unixPath;
    }

    public static SocketServer listen(ChardevSpec spec, Supplier<ChannelInitializer<Channel>> initializer) throws IOException {
        NettyLogging.quiet();
        EventLoopGroup group;
        UnixSocketPath unixPath;
        ServerBootstrap b = new ServerBootstrap();
        Object address;
        if (spec.kind() == ChardevSpec.Kind.UNIX) {
            if (!Epoll.isAvailable()) {
                throw new IOException("Unix-domain sockets need Netty's epoll transport, unavailable here: "
                        + Epoll.unavailabilityCause().getMessage());
            }
            try {
                unixPath = UnixSocketPath.prepare(spec.path());
            } catch (IOException e) {
                throw new IOException("cannot listen on " + spec + ": " + e.getMessage(), e);
            }
            group = new EpollEventLoopGroup(1);
            b.group(group).channel(EpollServerDomainSocketChannel.class);
            address = new DomainSocketAddress(unixPath.bindPath().toFile());
        } else {
            unixPath = null;
            warnIfNotLoopback(spec);
            group = new NioEventLoopGroup(1);
            b.group(group).channel(NioServerSocketChannel.class);
            address = new InetSocketAddress(spec.host(), spec.port());
        }
        b.childHandler(initializer.get());
        try {
            Channel ch = b.bind((java.net.SocketAddress) address).sync().channel();
            if (unixPath != null) {
                try {
                    unixPath.publish();
                } catch (IOException e) {
                    ch.close().syncUninterruptibly();
                    throw e;
                }
            }
            return new SocketServer(group, ch, unixPath);
        } catch (Exception e) {
            if (unixPath != null) unixPath.abandon();
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
        if (unixPath != null) {
            unixPath.close();
        }
    }

    /**
     * QEMU listens where it is told without a word; a monitor or console reachable from other
     * machines gives whoever connects control of the guest, so vmm says so.
     */
    static void warnIfNotLoopback(ChardevSpec spec) {
        if (!isLoopback(spec.host())) {
            System.err.println("vmm: warning: " + spec + " listens on " + (spec.host().equals("0.0.0.0") || spec.host().equals("::")
                    ? "every network interface" : "a non-loopback address")
                    + ": anyone who can reach it controls the guest; use 127.0.0.1 for this machine only");
        }
    }

    static boolean isLoopback(String host) {
        try {
            for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) return false;
            }
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
