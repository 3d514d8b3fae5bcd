package dev.vmm.cli.monitor;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The serial console on a socket ({@code --serial unix:…|tcp:…|telnet:…}). One client at a time;
 * a second one is told so and closed. While nobody is connected, guest output is kept in a
 * bounded buffer: the oldest bytes are dropped and counted, and the next client gets the rest.
 * Input from the client goes to the UART's receive path.
 */
public final class SerialSocket extends OutputStream implements AutoCloseable {
    /** Output kept while no client is connected. */
    public static final int BACKLOG = 64 * 1024;
    private static final long FLUSH_MILLIS = 20;

    private final byte[] ring = new byte[BACKLOG];
    private int start;
    private int length;
    private long dropped;
    private final byte[] pending = new byte[4096];
    private int pendingLength;
    private volatile Channel client;
    private final SocketServer server;
    private final boolean telnet;
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "serial-socket-flush");
        t.setDaemon(true);
        return t;
    });

    public SerialSocket(ChardevSpec spec, boolean telnet, Consumer<byte[]> input) throws IOException {
        this.telnet = telnet;
        this.server = SocketServer.listen(spec, () -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new Client(input));
            }
        });
        // Output without a newline (a shell prompt) must still reach the client promptly.
        flusher.scheduleWithFixedDelay(this::flushQuietly, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
    }

    public int port() {
        return server.port();
    }

    /** Bytes dropped from the backlog while no client was connected. */
    public synchronized long dropped() {
        return dropped;
    }

    @Override
    public synchronized void write(int b) {
        if (client == null) {
            keep((byte) b);
            return;
        }
        pending[pendingLength++] = (byte) b;
        if (pendingLength == pending.length) {
            flush();
        }
    }

    private void keep(byte b) {
        if (length == BACKLOG) {
            start = (start + 1) % BACKLOG;
            length--;
            dropped++;
        }
        ring[(start + length) % BACKLOG] = b;
        length++;
    }

    @Override
    public synchronized void flush() {
        Channel c = client;
        if (pendingLength == 0) {
            return;
        }
        if (c == null) {
            for (int i = 0; i < pendingLength; i++) keep(pending[i]);
        } else {
            c.writeAndFlush(Unpooled.copiedBuffer(pending, 0, pendingLength));
        }
        pendingLength = 0;
    }

    private void flushQuietly() {
        flush();
    }

    private synchronized boolean attach(Channel ch) {
        if (client != null) {
            return false;
        }
        client = ch;
        if (length > 0) {
            byte[] backlog = new byte[length];
            for (int i = 0; i < length; i++) backlog[i] = ring[(start + i) % BACKLOG];
            start = length = 0;
            ch.writeAndFlush(Unpooled.wrappedBuffer(backlog));
        }
        return true;
    }

    private synchronized void detach(Channel ch) {
        if (client == ch) {
            flush();
            client = null;
        }
    }

    private final class Client extends SimpleChannelInboundHandler<ByteBuf> {
        private final Consumer<byte[]> input;
        private int telnetSkip;

        Client(Consumer<byte[]> input) {
            this.input = input;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (!attach(ctx.channel())) {
                ctx.writeAndFlush(Unpooled.copiedBuffer("vmm: the serial console already has a client\r\n",
                        StandardCharsets.US_ASCII)).addListener(f -> ctx.close());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            detach(ctx.channel());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            if (client != ctx.channel()) {
                return;
            }
            byte[] data = new byte[msg.readableBytes()];
            msg.readBytes(data);
            input.accept(telnet ? stripTelnet(data) : data);
        }

        /** Drops telnet IAC commands (IAC cmd option) so only the user's keystrokes reach the guest. */
        private byte[] stripTelnet(byte[] data) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(data.length);
            for (byte b : data) {
                int v = b & 0xff;
                if (telnetSkip > 0) {
                    telnetSkip--;
                } else if (v == 255) {
                    telnetSkip = 2;
                } else {
                    out.write(v);
                }
            }
            return out.toByteArray();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        flusher.shutdownNow();
        server.close();
    }
}
