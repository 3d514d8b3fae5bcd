package dev.vmm.cli.gdb;

import dev.vmm.debug.BreakpointType;
import dev.vmm.debug.DebugException;
import dev.vmm.debug.StopEvent;
import dev.vmm.kvm.Fpu;
import dev.vmm.kvm.Regs;
import dev.vmm.kvm.Segment;
import dev.vmm.kvm.Sregs;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command handler against an in-memory target: replies, thread selection, errors. */
class GdbCommandsTest {
    /** Two vCPUs, 64 KiB of "virtual" memory at 0x1000, a log of what was asked. */
    static final class FakeTarget implements GdbTarget {
        final byte[] memory = new byte[0x10000];
        final X86RegisterFile.State[] cpus = {state(0x1000), state(0x2000)};
        final List<String> log = new ArrayList<>();

        static X86RegisterFile.State state(long rip) {
            Sregs s = new Sregs();
            Segment code = Segment.code64(0x10);
            Segment data = Segment.flatData32(0x18);
            s.cs = code;
            s.setDataSegments(data);
            s.tr = data;
            s.ldt = data;
            s.cr0 = 0x80000011L;
            s.efer = 0x500;
            return new X86RegisterFile.State(new Regs().rip(rip).rflags(2).rax(0x1122334455667788L), s, new Fpu());
        }

        @Override public int threadCount() { return cpus.length; }
        @Override public X86RegisterFile.State registers(int t) { return cpus[t]; }
        @Override public void setRegisters(int t, X86RegisterFile.State s) { log.add("setRegisters " + t); cpus[t] = s; }

        @Override
        public byte[] readMemory(int t, long a, int len) throws DebugException {
            if (a < 0x1000 || a + len > 0x11000) throw new DebugException(String.format("address 0x%x is not mapped to RAM", a));
            byte[] out = new byte[len];
            System.arraycopy(memory, (int) (a - 0x1000), out, 0, len);
            return out;
        }

        @Override
        public void writeMemory(int t, long a, byte[] d) throws DebugException {
            if (a < 0x1000 || a + d.length > 0x11000) throw new DebugException(String.format("address 0x%x is not mapped to RAM", a));
            System.arraycopy(d, 0, memory, (int) (a - 0x1000), d.length);
        }

        @Override
        public boolean insertBreakpoint(int t, BreakpointType type, long a, int kind) throws DebugException {
            if (type == BreakpointType.READ_WATCH) return false;
            if (type == BreakpointType.SOFTWARE && a == 0xdead) throw new DebugException("KVM cannot stop at an int3 here");
            log.add("insert " + type + " " + Long.toHexString(a) + " " + kind + " on " + t);
            return true;
        }

        @Override
        public boolean removeBreakpoint(int t, BreakpointType type, long a, int kind) {
            log.add("remove " + type + " " + Long.toHexString(a));
            return type != BreakpointType.READ_WATCH;
        }

        @Override public void resume(int step) { log.add(step < 0 ? "continue" : "step " + step); }
        @Override public String monitor(String c) { return c.equals("quiet") ? "" : "ran " + c + "\n"; }
        @Override public void detach() { log.add("detach"); }
        @Override public void kill() { log.add("kill"); }
    }

    private final FakeTarget target = new FakeTarget();
    private final GdbCommands gdb = new GdbCommands(target, new StopEvent.Trapped(0, StopEvent.Cause.OTHER_TRAP, 0));

    private String ask(String packet) {
        GdbCommands.Reply r = gdb.handle(packet.getBytes(StandardCharsets.ISO_8859_1));
        return assertInstanceOf(GdbCommands.Reply.Send.class, r).payload();
    }

    @Test
    void supportedFeaturesAndStopReason() {
        String sup = ask("qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+");
        assertTrue(sup.contains("PacketSize=4000") && sup.contains("qXfer:features:read+") && sup.contains("swbreak+"), sup);
        assertEquals("T05thread:1;", ask("?"));
        assertEquals("", ask("vMustReplyEmpty"));
        assertEquals("", ask("qUnknownThing"));
        assertEquals("OK", ask("QStartNoAckMode"));
    }

    @Test
    void oneThreadPerVcpu() {
        assertEquals("m1,2", ask("qfThreadInfo"));
        assertEquals("l", ask("qsThreadInfo"));
        assertEquals("QC1", ask("qC"));
        assertEquals("OK", ask("Hg2"));
        assertEquals("QC2", ask("qC"));
        // registers now come from vCPU 1
        assertTrue(ask("g").startsWith("8877665544332211"), "rax first");
        assertEquals("0020000000000000", ask("p10"), "rip of vCPU 1");
        assertEquals("OK", ask("T2"));
        assertEquals(GdbCommands.NO_THREAD, ask("T3"));
        assertEquals(GdbCommands.NO_THREAD, ask("Hg5"));
        assertEquals(HexFormat.of().formatHex("vCPU 1".getBytes(StandardCharsets.US_ASCII)), ask("qThreadExtraInfo,2"));
    }

    @Test
    void registerWritesGoToTheSelectedVcpuAndReadOnlyOnesAreRefused() {
        assertEquals("OK", ask("P10=0030000000000000"));
        assertEquals(0x3000, target.cpus[0].regs().rip());
        assertEquals("OK", ask("P0=0100000000000000"));
        assertEquals(1, target.cpus[0].regs().rax());
        int cs = X86RegisterFile.REGISTERS.stream().map(X86RegisterFile.Register::name).toList().indexOf("cs");
        assertEquals(GdbCommands.READ_ONLY, ask("P" + Integer.toHexString(cs) + "=08000000"));
        assertEquals(GdbCommands.MALFORMED, ask("P0=01"), "wrong size");
        assertEquals(GdbCommands.MALFORMED, ask("p999"));
        // G with the registers as read: accepted (unchanged read-only registers are fine)
        String all = ask("g");
        assertEquals("OK", ask("G" + all));
        assertEquals(GdbCommands.MALFORMED, ask("G" + all.substring(2)));
    }

    @Test
    void memoryReadsAndWritesInHexAndBinary() {
        assertEquals("OK", ask("M1000,4:deadbeef"));
        assertEquals("deadbeef", ask("m1000,4"));
        assertEquals("OK", ask("X1004,2:\u0001}"));
        assertEquals(GdbCommands.MALFORMED, ask("X1004,3:ab"), "length and data disagree");
        assertEquals("OK", ask("X1004,0:"), "gdb's probe for X support");
        assertEquals(GdbCommands.NO_MEMORY, ask("m0,4"));
        assertEquals(GdbCommands.NO_MEMORY, ask("M20000,1:00"));
        assertEquals(GdbCommands.MALFORMED, ask("m1000"));
        assertEquals(GdbCommands.MALFORMED, ask("mzz,4"));
        assertEquals(GdbCommands.MALFORMED, ask("m1000,100000"), "longer than a reply can hold");
    }

    @Test
    void breakpointsByKind() {
        assertEquals("OK", ask("Z0,101cb0,1"));
        assertEquals("OK", ask("Z1,101cb0,1"));
        assertEquals("OK", ask("Z2,2000,4"));
        assertEquals("", ask("Z3,2000,4"), "read watchpoints: not supported on x86");
        assertEquals("OK", ask("z0,101cb0,1"));
        assertEquals(GdbCommands.REFUSED, ask("Z0,dead,1"));
        assertEquals(GdbCommands.MALFORMED, ask("Z9,1000,1"));
        assertEquals(List.of("insert SOFTWARE 101cb0 1 on 0", "insert HARDWARE 101cb0 1 on 0", "insert WRITE_WATCH 2000 4 on 0",
                "remove SOFTWARE 101cb0"), target.log);
    }

    @Test
    void continueAndStepResume() {
        assertInstanceOf(GdbCommands.Reply.Resumed.class, gdb.handle("c".getBytes()));
        assertEquals("vCont;c;C;s;S", ask("vCont?"));
        assertInstanceOf(GdbCommands.Reply.Resumed.class, gdb.handle("vCont;s:2;c".getBytes()));
        assertInstanceOf(GdbCommands.Reply.Resumed.class, gdb.handle("s".getBytes()));
        assertEquals(GdbCommands.MALFORMED, ask("vCont;x"));
        assertEquals(List.of("continue", "step 1", "step 0"), target.log);
    }

    @Test
    void stopRepliesNameTheThreadAndTheReason() {
        assertEquals("T05thread:2;swbreak:;", gdb.stopped(new StopEvent.Trapped(1, StopEvent.Cause.SOFTWARE_BREAKPOINT, 0)));
        assertEquals("QC2", ask("qC"), "the stopped vCPU becomes the current thread");
        assertEquals("T05thread:1;hwbreak:;", gdb.stopped(new StopEvent.Trapped(0, StopEvent.Cause.HARDWARE_BREAKPOINT, 0)));
        assertEquals("T05thread:1;watch:2000;", gdb.stopped(new StopEvent.Trapped(0, StopEvent.Cause.WRITE_WATCH, 0x2000)));
        assertEquals("T05thread:1;awatch:2000;", gdb.stopped(new StopEvent.Trapped(0, StopEvent.Cause.ACCESS_WATCH, 0x2000)));
        assertEquals("T05thread:1;", gdb.stopped(new StopEvent.Trapped(0, StopEvent.Cause.SINGLE_STEP, 0)));
        assertEquals("T02thread:2;", gdb.stopped(new StopEvent.Interrupted(1)));
        assertEquals("W00", gdb.stopped(new StopEvent.Exited(0, true)));
        assertEquals("W7d", gdb.stopped(new StopEvent.Exited(125, false)));
    }

    @Test
    void targetDescriptionInChunks() {
        String first = ask("qXfer:features:read:target.xml:0,40");
        assertTrue(first.startsWith("m<?xml"), first);
        assertEquals(0x41, first.length());
        StringBuilder xml = new StringBuilder();
        int off = 0;
        while (true) {
            String part = ask("qXfer:features:read:target.xml:" + Integer.toHexString(off) + ",400");
            xml.append(part.substring(1));
            off += part.length() - 1;
            if (part.startsWith("l")) break;
        }
        assertEquals(X86RegisterFile.targetXml(), xml.toString());
        assertEquals("E00", ask("qXfer:features:read:other.xml:0,100"));
    }

    @Test
    void monitorCommandsAnswerInHex() {
        assertEquals(HexFormat.of().formatHex("ran xp 0x1000\n".getBytes(StandardCharsets.UTF_8)), ask("qRcmd," + HexFormat.of().formatHex("xp 0x1000".getBytes())));
        assertEquals("OK", ask("qRcmd," + HexFormat.of().formatHex("quiet".getBytes())));
        assertEquals(GdbCommands.MALFORMED, ask("qRcmd,zz"));
    }

    @Test
    void detachAndKillEndTheSession() {
        assertEquals("OK", assertInstanceOf(GdbCommands.Reply.End.class, gdb.handle("D".getBytes())).payload());
        assertInstanceOf(GdbCommands.Reply.End.class, gdb.handle("k".getBytes()));
        assertEquals(List.of("detach", "kill"), target.log);
    }
}
