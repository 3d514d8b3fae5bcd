package dev.vmm.cli.monitor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A QMP server as QEMU's docs/interop/qmp-spec defines the protocol: a greeting, capabilities
 * negotiation ({@code qmp_capabilities} first; anything else answers CommandNotFound), then
 * {@code execute} with optional {@code arguments} and an {@code id} echoed back, replies with
 * {@code return} or {@code error}, and asynchronous events with a timestamp. Messages end in CRLF.
 * Bad input (invalid JSON, a non-object, over {@link #MAX_MESSAGE} bytes) gets QEMU's error
 * class and never disturbs the guest, other clients or the session's later commands.
 */
public final class QmpServer implements AutoCloseable {
    /** QEMU refuses JSON tokens beyond about 64 MiB; a monitor for test guests needs far less. */
    public static final int MAX_MESSAGE = 64 * 1024;
    public static final String VERSION = "0.1.0";

    private static final AttributeKey<Boolean> NEGOTIATED = AttributeKey.valueOf("qmp.negotiated");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MonitorTarget target;
    private final Map<String, Function<JsonNode, JsonNode>> commands = new LinkedHashMap<>();
    /** The arguments each command takes (QEMU refuses any other); commands not listed take none. */
    private final Map<String, java.util.Set<String>> parameters = Map.of(
            "human-monitor-command", java.util.Set.of("command-line", "cpu-index"),
            "memsave", java.util.Set.of("val", "size", "filename", "cpu-index"),
            "pmemsave", java.util.Set.of("val", "size", "filename"));
    private final HumanMonitor hmp;
    private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final SocketServer socket;

    public QmpServer(ChardevSpec spec, MonitorTarget target) throws IOException {
        this.target = target;
        this.hmp = new HumanMonitor(target);
        registerCommands();
        this.socket = SocketServer.listen(spec, () -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new Session());
            }
        });
    }

    public int port() {
        return socket.port();
    }

    private void registerCommands() {
        commands.put("query-version", a -> version());
        commands.put("query-status", a -> {
            String status = target.status();
            return obj().put("status", status).put("singlestep", false).put("running", status.equals("running"));
        });
        commands.put("query-kvm", a -> obj().put("enabled", true).put("present", true));
        commands.put("query-commands", a -> {
            ArrayNode list = JSON.createArrayNode();
            commands.keySet().forEach(name -> list.add(obj().put("name", name)));
            list.add(obj().put("name", "qmp_capabilities"));
            return list;
        });
        commands.put("query-cpus-fast", a -> {
            ArrayNode list = JSON.createArrayNode();
            int i = 0;
            for (int tid : target.vcpuThreadIds()) {
                // QEMU's default topology for -smp N: N cores in one socket.
                ObjectNode props = obj().put("core-id", i).put("thread-id", 0).put("socket-id", 0);
                list.add(obj().put("thread-id", tid).set("props", props));
                ((ObjectNode) list.get(i)).put("qom-path", "/machine/unattached/device[" + i + "]")
                        .put("cpu-index", i).put("target", "x86_64");
                i++;
            }
            return list;
        });
        commands.put("stop", a -> {
            boolean wasRunning = target.status().equals("running");
            target.stop();
            if (wasRunning) {
                emit("STOP", null);
            }
            return obj();
        });
        commands.put("cont", a -> {
            boolean wasPaused = target.status().equals("paused");
            target.cont();
            if (wasPaused) {
                emit("RESUME", null);
            }
            return obj();
        });
        commands.put("system_reset", a -> {
            target.reset();
            return obj();
        });
        commands.put("system_powerdown", a -> {
            throw QmpError.generic("system_powerdown is not supported: this machine has no ACPI power button");
        });
        commands.put("quit", a -> obj());
        commands.put("x-query-pv", a -> target.pvState());
        commands.put("x-query-exit-stats", a -> target.exitStats());
        commands.put("human-monitor-command", a -> {
            String line = QmpArguments.string(a, "command-line");
            int cpu = cpuIndex(a);
            // QEMU's monitor ends every line it prints with CRLF, in human-monitor-command's reply too
            return JSON.getNodeFactory().textNode(hmp.execute(line, cpu).replace("\n", "\r\n"));
        });
        commands.put("memsave", a -> {
            long val = QmpArguments.integer(a, "val");
            long size = QmpArguments.integer(a, "size");
            String filename = QmpArguments.string(a, "filename");
            int cpu = cpuIndex(a);
            target.inspect(view -> {
                MemorySave.save(view, cpu, val, size, filename);
                return null;
            });
            return obj();
        });
        commands.put("pmemsave", a -> {
            long val = QmpArguments.integer(a, "val");
            long size = QmpArguments.integer(a, "size");
            String filename = QmpArguments.string(a, "filename");
            target.inspect(view -> {
                MemorySave.save(view, -1, val, size, filename);
                return null;
            });
            return obj();
        });
        commands.put("query-cpu-model-expansion", a -> {
            JsonNode type = a.get("type");
            JsonNode model = a.get("model");
            if (type == null) throw QmpError.generic("Parameter 'type' is missing");
            if (!type.isTextual()) throw QmpError.generic("Invalid parameter type for 'type', expected: string");
            if (!type.asText().equals("static") && !type.asText().equals("full")) {
                throw QmpError.generic("Parameter 'type' does not accept value '" + type.asText() + "'");
            }
            if (model == null) throw QmpError.generic("Parameter 'model' is missing");
            if (!model.isObject()) throw QmpError.generic("Invalid parameter type for 'model', expected: object");
            if (!model.path("name").isTextual()) throw QmpError.generic("Parameter 'model.name' is missing");
            ObjectNode props = obj();
            target.cpuModelProperties(model.path("name").asText()).forEach(props::put);
            ObjectNode m = obj().put("name", model.path("name").asText());
            m.set("props", props);
            ObjectNode result = obj();
            result.set("model", m);
            return result;
        });
    }

    /** The optional {@code cpu-index} (default 0), which must name a vCPU: QEMU's words when it does not. */
    private int cpuIndex(JsonNode a) {
        if (!a.has("cpu-index")) {
            return 0;
        }
        long index = QmpArguments.integer(a, "cpu-index");
        if (index < 0 || index >= target.vcpuThreadIds().size()) {
            throw QmpError.generic("Parameter 'cpu-index' expects a CPU number");
        }
        return (int) index;
    }

    private static ObjectNode obj() {
        return JSON.createObjectNode();
    }

    private static ObjectNode version() {
        String[] v = VERSION.split("\\.");
        ObjectNode qemu = obj().put("major", Integer.parseInt(v[0])).put("minor", Integer.parseInt(v[1]))
                .put("micro", Integer.parseInt(v[2]));
        ObjectNode version = obj();
        version.set("qemu", qemu);
        version.put("package", "vmm");
        return version;
    }

    /** Sends an event to every negotiated client, e.g. {@code STOP}, {@code SHUTDOWN}. */
    public void emit(String event, ObjectNode data) {
        long micros = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
        ObjectNode msg = obj().put("event", event);
        if (data != null) {
            msg.set("data", data);
        }
        msg.set("timestamp", obj().put("seconds", micros / 1_000_000).put("microseconds", micros % 1_000_000));
        for (Channel c : clients) {
            // a client that does not read what it is sent loses events rather than growing our buffers
            if (Boolean.TRUE.equals(c.attr(NEGOTIATED).get()) && c.isWritable()) {
                send(c, msg);
            }
        }
    }

    public static ObjectNode data() {
        return obj();
    }

    private static void send(Channel ch, JsonNode msg) {
        try {
            byte[] bytes = (JSON.writeValueAsString(msg) + "\r\n").getBytes(StandardCharsets.UTF_8);
            ch.writeAndFlush(Unpooled.wrappedBuffer(bytes));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode error(String cls, String desc, JsonNode id) {
        ObjectNode err = obj().put("class", cls).put("desc", desc);
        ObjectNode msg = obj();
        msg.set("error", err);
        if (id != null) {
            msg.set("id", id);
        }
        return msg;
    }

    /**
     * One client connection. Its bytes go through a {@link QmpFramer}, which keeps the stream in
     * sync whatever the client sends; replies are flow-controlled: while the client does not read
     * them, nothing more is read from it, so neither side's buffers grow without bound.
     */
    private final class Session extends SimpleChannelInboundHandler<ByteBuf> {
        private QmpFramer framer;
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            clients.add(ctx.channel());
            ObjectNode qmp = obj();
            qmp.set("version", version());
            qmp.set("capabilities", JSON.createArrayNode().add("oob"));
            send(ctx.channel(), obj().set("QMP", qmp));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf bytes) {
            if (framer == null) {
                framer = new QmpFramer(MAX_MESSAGE, frame -> {
                    if (frame instanceof QmpFramer.Frame.Message m) {
                        handle(ctx, m.json());
                    } else if (frame instanceof QmpFramer.Frame.Error e) {
                        send(ctx.channel(), error("GenericError", e.desc(), null));
                    }
                });
            }
            QmpFramer f = framer;
            bytes.forEachByte(b -> {
                f.feed(b); // no copy of what the client sent: a flood costs no garbage
                return true;
            });
            if (!ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false); // the client is not reading its replies
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        private void handle(ChannelHandlerContext ctx, String text) {
            JsonNode msg;
            try {
                msg = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                send(ctx.channel(), error("GenericError", "JSON parse error, " + firstLine(e.getOriginalMessage()), null));
                return;
            } catch (IOException e) {
                send(ctx.channel(), error("GenericError", "JSON parse error, " + firstLine(e.getMessage()), null));
                return;
            }
            if (msg == null || !msg.isObject()) {
                send(ctx.channel(), error("GenericError", "QMP input must be a JSON object", null));
                return;
            }
            JsonNode id = msg.get("id");
            for (var it = msg.fieldNames(); it.hasNext(); ) {
                String member = it.next();
                if (!member.equals("execute") && !member.equals("arguments") && !member.equals("id")
                        && !member.equals("control")) {
                    send(ctx.channel(), error("GenericError", "QMP input member '" + member + "' is unexpected", id));
                    return;
                }
            }
            JsonNode execute = msg.get("execute");
            if (execute == null) {
                send(ctx.channel(), error("GenericError", "QMP input lacks member 'execute'", id));
                return;
            }
            if (!execute.isTextual()) {
                send(ctx.channel(), error("GenericError", "QMP input member 'execute' must be a string", id));
                return;
            }
            JsonNode args = msg.get("arguments");
            if (args != null && !args.isObject()) {
                send(ctx.channel(), error("GenericError", "QMP input member 'arguments' must be an object", id));
                return;
            }
            String name = execute.asText();
            boolean negotiated = Boolean.TRUE.equals(ctx.channel().attr(NEGOTIATED).get());
            if (name.equals("qmp_capabilities")) {
                if (negotiated) {
                    send(ctx.channel(), error("CommandNotFound",
                            "Capabilities negotiation is already complete, command ignored", id));
                    return;
                }
                ctx.channel().attr(NEGOTIATED).set(true);
                reply(ctx.channel(), obj(), id);
                return;
            }
            if (!negotiated) {
                send(ctx.channel(), error("CommandNotFound",
                        "Expecting capabilities negotiation with 'qmp_capabilities'", id));
                return;
            }
            Function<JsonNode, JsonNode> command = commands.get(name);
            if (command == null) {
                send(ctx.channel(), error("CommandNotFound", "The command " + name + " has not been found", id));
                return;
            }
            // each command refuses arguments it does not take, as QEMU's do (the model expansion checks its own)
            if (args != null && args.size() > 0 && !name.equals("query-cpu-model-expansion")) {
                java.util.Set<String> known = parameters.getOrDefault(name, java.util.Set.of());
                for (var it = args.fieldNames(); it.hasNext(); ) {
                    String arg = it.next();
                    if (!known.contains(arg)) {
                        send(ctx.channel(), error("GenericError", "Parameter '" + arg + "' is unexpected", id));
                        return;
                    }
                }
            }
            try {
                JsonNode result = command.apply(args == null ? obj() : args);
                reply(ctx.channel(), result, id);
                if (name.equals("quit")) {
                    target.quit();
                }
            } catch (QmpError e) {
                send(ctx.channel(), error(e.errorClass(), e.getMessage(), id));
            } catch (RuntimeException e) {
                send(ctx.channel(), error("GenericError", String.valueOf(e.getMessage()), id));
            }
        }

        private void reply(Channel ch, JsonNode result, JsonNode id) {
            ObjectNode msg = obj();
            msg.set("return", result);
            if (id != null) {
                msg.set("id", id);
            }
            send(ch, msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Framing never throws; this is the connection itself failing (reset by the peer).
            ctx.close();
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "invalid input";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void close() {
        clients.close().syncUninterruptibly();
        socket.close();
    }
}
