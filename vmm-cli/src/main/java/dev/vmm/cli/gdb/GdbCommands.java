package dev.vmm.cli.gdb;

import dev.vmm.debug.BreakpointType;
import dev.vmm.debug.DebugException;
import dev.vmm.debug.StopEvent;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The gdb remote protocol's commands, answered against a {@link GdbTarget} (all-stop mode). Pure
 * request-to-reply logic: {@link #handle} returns the reply payload, or a {@link Reply} saying the
 * guest was resumed (the stop reply comes later) or the session ends. Errors are the protocol's
 * {@code E NN}: 01 malformed request, 02 unknown thread, 03 memory not accessible, 04 register
 * not writable, 05 the target refused (the message goes to the log).
 */
public final class GdbCommands {
    /** Largest packet payload we accept (hex), as advertised in qSupported. */
    public static final int PACKET_SIZE = 0x4000;
    static final String MALFORMED = "E01", NO_THREAD = "E02", NO_MEMORY = "E03", READ_ONLY = "E04", REFUSED = "E05";
    private static final HexFormat HEX = HexFormat.of();

    /** What the server does after a command. */
    public sealed interface Reply {
        /** Send this payload. */
        record Send(String payload) implements Reply {
        }

        /** The guest runs: send the stop reply when it stops. */
        record Resumed() implements Reply {
        }

        /** Send {@code payload} (may be null), then end the session (detach or kill). */
        record End(String payload) implements Reply {
        }
    }

    private final GdbTarget target;
    /** Thread for register and memory access (Hg) and for resumption (Hc), as vCPU indices. */
    private int generalThread;
    private int continueThread = -1;
    private StopEvent lastStop;
    private final System.Logger log = System.getLogger(GdbCommands.class.getName());

    public GdbCommands(GdbTarget target, StopEvent initialStop) {
        this.target = target;
        this.lastStop = initialStop;
    }

    /** Records a stop and returns its stop-reply payload; the stopped vCPU becomes the current thread. */
    public String stopped(StopEvent event) {
        lastStop = event;
        if (event instanceof StopEvent.Trapped t) {
            generalThread = t.vcpu();
        } else if (event instanceof StopEvent.Interrupted i) {
            generalThread = i.vcpu();
        }
        return stopReply(event);
    }

    static String stopReply(StopEvent event) {
        if (event instanceof StopEvent.Exited e) {
            return String.format("W%02x", e.status() & 0xff);
        }
        if (event instanceof StopEvent.Interrupted i) {
            return String.format("T02thread:%x;", i.vcpu() + 1);
        }
        StopEvent.Trapped t = (StopEvent.Trapped) event;
        String reason = switch (t.cause()) {
            case SOFTWARE_BREAKPOINT -> "swbreak:;";
            case HARDWARE_BREAKPOINT -> "hwbreak:;";
            case WRITE_WATCH -> String.format("watch:%x;", t.watchAddress());
            case ACCESS_WATCH -> String.format("awatch:%x;", t.watchAddress());
            default -> "";
        };
        return String.format("T05thread:%x;%s", t.vcpu() + 1, reason);
    }

    public Reply handle(byte[] packet) {
        String p = new String(packet, StandardCharsets.ISO_8859_1);
        try {
            return dispatch(p, packet);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            log.log(System.Logger.Level.DEBUG, "malformed gdb packet ''{0}'': {1}", abbreviate(p), e.getMessage());
            return send(MALFORMED);
        } catch (DebugException e) {
            if (e.getMessage().contains("not mapped") || e.getMessage().contains("not RAM")) {
                return send(NO_MEMORY); // gdb probes unmapped memory routinely (backtraces): no noise
            }
            // gdb shows only "E05" for a refused request: the reason goes to vmm's stderr
            System.err.println("vmm: gdb: " + e.getMessage());
            return send(REFUSED);
        }
    }

    private static String abbreviate(String p) {
        return p.length() > 60 ? p.substring(0, 60) + "..." : p;
    }

    private static Reply send(String payload) {
        return new Reply.Send(payload);
    }

    private Reply dispatch(String p, byte[] raw) throws DebugException {
        if (p.isEmpty()) {
            return send("");
        }
        char c = p.charAt(0);
        switch (c) {
            case '?':
                return send(stopReply(lastStop));
            case 'g':
                return send(HEX.formatHex(X86RegisterFile.encodeAll(target.registers(generalThread))));
            case 'G': {
                X86RegisterFile.State s = target.registers(generalThread);
                try {
                    X86RegisterFile.writeAll(s, HEX.parseHex(p.substring(1)));
                } catch (IllegalArgumentException e) {
                    return send(e.getMessage().contains("cannot be changed") ? READ_ONLY : MALFORMED);
                }
                target.setRegisters(generalThread, s);
                return send("OK");
            }
            case 'p': {
                int n = Integer.parseInt(p.substring(1), 16);
                if (n < 0 || n >= X86RegisterFile.count()) {
                    return send(MALFORMED);
                }
                return send(HEX.formatHex(X86RegisterFile.encode(target.registers(generalThread), n)));
            }
            case 'P': {
                int eq = p.indexOf('=');
                int n = Integer.parseInt(p.substring(1, eq), 16);
                X86RegisterFile.State s = target.registers(generalThread);
                try {
                    X86RegisterFile.write(s, n, HEX.parseHex(p.substring(eq + 1)));
                } catch (IllegalArgumentException e) {
                    return send(e.getMessage().contains("cannot be changed") ? READ_ONLY : MALFORMED);
                }
                target.setRegisters(generalThread, s);
                return send("OK");
            }
            case 'm': {
                long[] al = addressLength(p.substring(1));
                return send(HEX.formatHex(target.readMemory(generalThread, al[0], (int) al[1])));
            }
            case 'M': {
                int colon = p.indexOf(':');
                long[] al = addressLength(p.substring(1, colon));
                byte[] data = HEX.parseHex(p.substring(colon + 1));
                if (data.length != al[1]) {
                    return send(MALFORMED);
                }
                target.writeMemory(generalThread, al[0], data);
                return send("OK");
            }
            case 'X': {
                int colon = p.indexOf(':');
                long[] al = addressLength(p.substring(1, colon));
                byte[] data = java.util.Arrays.copyOfRange(raw, colon + 1, raw.length);
                if (data.length != al[1]) {
                    return send(MALFORMED);
                }
                if (data.length > 0) {
                    target.writeMemory(generalThread, al[0], data);
                }
                return send("OK");
            }
            case 'Z':
            case 'z':
                return breakpoint(c == 'Z', p.substring(1));
            case 'H':
                return setThread(p);
            case 'T':
                return send(thread(p.substring(1)) >= 0 ? "OK" : NO_THREAD);
            case 'c':
                return resume(-1, p.substring(1));
            case 's':
                return resume(continueThread >= 0 ? continueThread : generalThread, p.substring(1));
            case 'D':
                target.detach();
                return new Reply.End("OK");
            case 'k':
                target.kill();
                return new Reply.End(null);
            case 'q':
                return query(p);
            case 'Q':
                return send(p.equals("QStartNoAckMode") ? "OK" : "");
            case 'v':
                return vPacket(p);
            default:
                return send("");
        }
    }

    /** "ADDR,LEN" in hex; the length is capped by the packet size (its hex reply must fit). */
    private static long[] addressLength(String s) {
        int comma = s.indexOf(',');
        long address = Long.parseUnsignedLong(s.substring(0, comma), 16);
        long length = Long.parseLong(s.substring(comma + 1), 16);
        if (length < 0 || length > PACKET_SIZE / 2) {
            throw new IllegalArgumentException("length " + length + " over " + PACKET_SIZE / 2);
        }
        return new long[] {address, length};
    }

    private Reply breakpoint(boolean insert, String args) throws DebugException {
        String[] f = args.split("[,;]");
        BreakpointType type = BreakpointType.ofGdbType(Integer.parseInt(f[0]));
        long address = Long.parseUnsignedLong(f[1], 16);
        int kind = Integer.parseInt(f[2], 16);
        boolean supported = insert ? target.insertBreakpoint(generalThread, type, address, kind)
                : target.removeBreakpoint(generalThread, type, address, kind);
        return send(supported ? "OK" : "");
    }

    /** gdb thread id (hex; 0 = any, -1 = all) to vCPU index: -1 for all, -2 when there is no such thread. */
    private int thread(String id) {
        if (id.equals("-1")) {
            return -1;
        }
        int t = Integer.parseInt(id, 16);
        if (t == 0) {
            return generalThread;
        }
        return t >= 1 && t <= target.threadCount() ? t - 1 : -2;
    }

    private Reply setThread(String p) {
        char op = p.charAt(1);
        int t = thread(p.substring(2));
        if (t == -2) {
            return send(NO_THREAD);
        }
        if (op == 'g') {
            generalThread = t < 0 ? 0 : t;
        } else if (op == 'c') {
            continueThread = t;
        } else {
            return send(MALFORMED);
        }
        return send("OK");
    }

    private Reply resume(int stepThread, String address) throws DebugException {
        if (!address.isEmpty()) {
            int thread = stepThread >= 0 ? stepThread : generalThread;
            X86RegisterFile.State s = target.registers(thread);
            s.regs().rip(Long.parseUnsignedLong(address, 16));
            target.setRegisters(thread, s);
        }
        target.resume(stepThread);
        return new Reply.Resumed();
    }

    private Reply vPacket(String p) throws DebugException {
        if (p.equals("vCont?")) {
            return send("vCont;c;C;s;S");
        }
        if (p.startsWith("vCont;")) {
            // all-stop: a step action on one thread steps only it (the others stay stopped); else continue all
            int step = -1;
            for (String action : p.substring(6).split(";")) {
                String[] a = action.split(":");
                char kind = a[0].isEmpty() ? '?' : a[0].charAt(0);
                if (kind != 'c' && kind != 'C' && kind != 's' && kind != 'S') {
                    return send(MALFORMED);
                }
                if ((kind == 's' || kind == 'S') && step < 0) {
                    int t = a.length > 1 ? thread(a[1]) : generalThread;
                    if (t == -2) {
                        return send(NO_THREAD);
                    }
                    step = t < 0 ? generalThread : t;
                }
            }
            return resume(step, "");
        }
        if (p.startsWith("vKill")) {
            target.kill();
            return new Reply.End("OK");
        }
        return send(""); // vMustReplyEmpty, vFile, vRun...: not supported
    }

    private Reply query(String p) {
        if (p.startsWith("qSupported")) {
            return send(String.format("PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+",
                    PACKET_SIZE));
        }
        if (p.equals("qfThreadInfo")) {
            StringBuilder sb = new StringBuilder("m");
            for (int i = 0; i < target.threadCount(); i++) {
                sb.append(i == 0 ? "" : ",").append(Integer.toHexString(i + 1));
            }
            return send(sb.toString());
        }
        if (p.equals("qsThreadInfo")) {
            return send("l");
        }
        if (p.equals("qC")) {
            return send("QC" + Integer.toHexString(generalThread + 1));
        }
        if (p.equals("qAttached")) {
            return send("1");
        }
        if (p.startsWith("qThreadExtraInfo,")) {
            int t = thread(p.substring(17));
            if (t < 0) {
                return send(NO_THREAD);
            }
            return send(HEX.formatHex(("vCPU " + t).getBytes(StandardCharsets.US_ASCII)));
        }
        if (p.startsWith("qXfer:features:read:")) {
            return send(xferFeatures(p.substring(20)));
        }
        if (p.startsWith("qRcmd,")) {
            String command = new String(HEX.parseHex(p.substring(6)), StandardCharsets.ISO_8859_1);
            String out = target.monitor(command);
            return send(out.isEmpty() ? "OK" : HEX.formatHex(out.getBytes(StandardCharsets.UTF_8)));
        }
        if (p.equals("qSymbol::")) {
            return send("OK");
        }
        return send("");
    }

    /** "target.xml:OFFSET,LENGTH" -> "m" + chunk when more follows, "l" + chunk at the end. */
    static String xferFeatures(String args) {
        int colon = args.indexOf(':');
        String annex = args.substring(0, colon);
        if (!annex.equals("target.xml")) {
            return "E00";
        }
        String[] ol = args.substring(colon + 1).split(",");
        int offset = Integer.parseInt(ol[0], 16);
        int length = Integer.parseInt(ol[1], 16);
        String xml = X86RegisterFile.targetXml();
        if (offset >= xml.length()) {
            return "l";
        }
        int end = (int) Math.min(xml.length(), (long) offset + Math.min(length, PACKET_SIZE - 16));
        return (end < xml.length() ? "m" : "l") + xml.substring(offset, end);
    }
}
