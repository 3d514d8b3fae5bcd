package dev.vmm.cli.gdb;

import dev.vmm.cli.monitor.ChardevSpec;
import dev.vmm.cli.monitor.SocketServer;
import dev.vmm.debug.GuestDebugger;
import dev.vmm.debug.StopEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gdb stub's socket (QEMU's {@code -gdb}): one debugger at a time, on the same Netty
 * transport as the QMP monitor (TCP, or a Unix socket through epoll). A second connection while
 * one is attached is told so on stderr and closed. When the debugger connects the guest stops;
 * when it disconnects without detaching, breakpoints are removed and the guest runs on, as with QEMU.
 * Waiting for the guest to stop after a continue happens on a thread of its own, so that the
 * event loop still sees gdb's Ctrl-C.
 */
public final class GdbServer implements AutoCloseable {
    private final GuestDebugger debugger;
    private final SocketServer socket;
    private final AtomicReference<Channel> attached = new AtomicReference<>();
    private final ExecutorService waiter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gdb-wait");
        t.setDaemon(true);
        return t;
    });
    private final String description;

    public GdbServer(ChardevSpec spec, GuestDebugger debugger) throws IOException {
        this.debugger = debugger;
        this.description = spec.toString();
        this.socket = SocketServer.listen(spec, () -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new Session());
            }
        });
    }

    /** The bound TCP port (for port 0), or -1 for a Unix socket. */
    public int port() {
        return socket.port();
    }

    /** Lets a pending stop reply (the guest's exit) reach the debugger, then closes the socket. */
    @Override
    public void close() {
        waiter.shutdown();
        try {
            waiter.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Channel ch = attached.get();
        if (ch != null) {
            ch.close().awaitUninterruptibly(1000);
        }
        socket.close();
    }

    private final class Session extends ChannelInboundHandlerAdapter {
        private final PacketReader reader = new PacketReader(GdbCommands.PACKET_SIZE);
        private GdbCommands commands;
        private boolean noAck;
        private volatile boolean running;
        private boolean ended;

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            if (!attached.compareAndSet(null, ctx.channel())) {
                System.err.println("vmm: gdb: refused a second debugger from " + ctx.channel().remoteAddress()
                        + " (one is attached to " + description + ")");
                ctx.close();
                return;
            }
            StopEvent stop = debugger.stopForAttach();
            commands = new GdbCommands(new GuestDebuggerTarget(debugger), stop);
            commands.stopped(stop);
            if (stop instanceof StopEvent.Exited) {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (attached.compareAndSet(ctx.channel(), null) && !ended) {
                // gdb went away without detaching: leave the guest running, as QEMU does
                debugger.detach();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                while (buf.isReadable() && !ended) {
                    PacketReader.Event e = reader.accept(buf.readByte() & 0xff);
                    if (e != null) {
                        onEvent(ctx, e);
                    }
                }
            } finally {
                buf.release();
            }
        }

        private void onEvent(ChannelHandlerContext ctx, PacketReader.Event e) {
            if (e instanceof PacketReader.Interrupt) {
                if (running) {
                    debugger.interrupt();
                }
            } else if (e instanceof PacketReader.BadChecksum) {
                if (!noAck) {
                    write(ctx, new byte[] {'-'});
                }
            } else if (e instanceof PacketReader.Malformed) {
                ack(ctx);
                write(ctx, GdbPacket.frame(GdbCommands.MALFORMED));
            } else if (e instanceof PacketReader.Packet p) {
                ack(ctx);
                if (running) {
                    return; // all-stop: nothing but Ctrl-C is meaningful while the guest runs
                }
                GdbCommands.Reply reply;
                synchronized (commands) {
                    reply = commands.handle(p.payload());
                }
                if (reply instanceof GdbCommands.Reply.Send s) {
                    write(ctx, GdbPacket.frame(s.payload()));
                    if (new String(p.payload(), java.nio.charset.StandardCharsets.ISO_8859_1).equals("QStartNoAckMode")) {
                        noAck = true;
                    }
                } else if (reply instanceof GdbCommands.Reply.Resumed) {
                    running = true;
                    waiter.execute(() -> awaitStop(ctx));
                } else if (reply instanceof GdbCommands.Reply.End end) {
                    ended = true;
                    if (end.payload() != null) {
                        write(ctx, GdbPacket.frame(end.payload()));
                    }
                    ctx.close();
                }
            }
        }

        private void awaitStop(ChannelHandlerContext ctx) {
            try {
                StopEvent stop = debugger.awaitStop();
                String reply;
                synchronized (commands) {
                    reply = commands.stopped(stop);
                }
                running = false;
                write(ctx, GdbPacket.frame(reply));
                if (stop instanceof StopEvent.Exited) {
                    ended = true;
                    ctx.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void ack(ChannelHandlerContext ctx) {
            if (!noAck) {
                write(ctx, new byte[] {'+'});
            }
        }

        private void write(ChannelHandlerContext ctx, byte[] bytes) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            System.err.println("vmm: gdb: " + cause.getMessage());
            ctx.close();
        }
    }
}
