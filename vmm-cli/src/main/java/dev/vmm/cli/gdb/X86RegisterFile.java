package dev.vmm.cli.gdb;

import dev.vmm.kvm.Fpu;
import dev.vmm.kvm.Regs;
import dev.vmm.kvm.Segment;
import dev.vmm.kvm.Sregs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The x86-64 registers as gdb sees them: one table drives the target description that gdb reads
 * through {@code qXfer:features:read:target.xml} (so registers show by name), the {@code g}
 * packet's byte layout (little-endian, in table order) and single-register access ({@code p}/{@code P}).
 * The features are gdb's own {@code org.gnu.gdb.i386.core} (general, rip, eflags, segment
 * selectors, x87) and {@code org.gnu.gdb.i386.segments} (fs_base, gs_base), plus the control
 * registers and EFER in {@code org.vmm.x86.system}. Pure: state in, bytes out and back.
 */
public final class X86RegisterFile {
    /** Where a register's value lives in the KVM structures. */
    enum Source { GPR, RIP, EFLAGS, SELECTOR, X87_ST, X87_CONTROL, SEGMENT_BASE, CONTROL }

    record Register(String name, int bits, String type, String feature, Source source, int index) {
        int bytes() {
            return bits / 8;
        }
    }

    static final String CORE = "org.gnu.gdb.i386.core", SEGMENTS = "org.gnu.gdb.i386.segments",
            SYSTEM = "org.vmm.x86.system";

    /** kvm_regs index of each of gdb's first 16 registers (gdb puts rbp before rsp, KVM after). */
    private static final int[] GPR_INDEX = {Regs.RAX, Regs.RBX, Regs.RCX, Regs.RDX, Regs.RSI, Regs.RDI, Regs.RBP,
        Regs.RSP, Regs.R8, Regs.R9, Regs.R10, Regs.R11, Regs.R12, Regs.R13, Regs.R14, Regs.R15};
    private static final String[] GPR_NAMES = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    private static final String[] SELECTORS = {"cs", "ss", "ds", "es", "fs", "gs"};
    private static final String[] X87_CONTROL = {"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"};
    private static final String[] CONTROL = {"cr0", "cr2", "cr3", "cr4", "cr8", "efer"};

    static final List<Register> REGISTERS = build();

    /** A vCPU's registers as KVM returns them. */
    public record State(Regs regs, Sregs sregs, Fpu fpu) {
    }

    private X86RegisterFile() {
    }

    private static List<Register> build() {
        List<Register> r = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            r.add(new Register(GPR_NAMES[i], 64, i == 6 || i == 7 ? "data_ptr" : "int64", CORE, Source.GPR, GPR_INDEX[i]));
        }
        r.add(new Register("rip", 64, "code_ptr", CORE, Source.RIP, 0));
        r.add(new Register("eflags", 32, "i386_eflags", CORE, Source.EFLAGS, 0));
        for (int i = 0; i < SELECTORS.length; i++) {
            r.add(new Register(SELECTORS[i], 32, "int32", CORE, Source.SELECTOR, i));
        }
        for (int i = 0; i < 8; i++) {
            r.add(new Register("st" + i, 80, "i387_ext", CORE, Source.X87_ST, i));
        }
        for (int i = 0; i < X87_CONTROL.length; i++) {
            r.add(new Register(X87_CONTROL[i], 32, "int", CORE, Source.X87_CONTROL, i));
        }
        r.add(new Register("fs_base", 64, "int", SEGMENTS, Source.SEGMENT_BASE, 0));
        r.add(new Register("gs_base", 64, "int", SEGMENTS, Source.SEGMENT_BASE, 1));
        for (int i = 0; i < CONTROL.length; i++) {
            r.add(new Register(CONTROL[i], 64, "int64", SYSTEM, Source.CONTROL, i));
        }
        return List.copyOf(r);
    }

    public static int count() {
        return REGISTERS.size();
    }

    /** The {@code g} packet's bytes: every register, in table order. */
    public static byte[] encodeAll(State s) {
        int total = REGISTERS.stream().mapToInt(Register::bytes).sum();
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        for (Register reg : REGISTERS) {
            b.put(value(reg, s));
        }
        return b.array();
    }

    /** Register {@code n}'s bytes. */
    public static byte[] encode(State s, int n) {
        return value(REGISTERS.get(n), s);
    }

    private static byte[] value(Register reg, State s) {
        ByteBuffer b = ByteBuffer.allocate(reg.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (reg.source()) {
            case GPR -> b.putLong(s.regs().get(reg.index()));
            case RIP -> b.putLong(s.regs().rip());
            case EFLAGS -> b.putInt((int) s.regs().rflags());
            case SELECTOR -> b.putInt(selector(s.sregs(), reg.index()).selector() & 0xffff);
            case X87_ST -> b.put(s.fpu().bytes(), 16 * reg.index(), 10);
            case X87_CONTROL -> b.putInt(x87Control(s.fpu(), reg.index()));
            case SEGMENT_BASE -> b.putLong(reg.index() == 0 ? s.sregs().fs.base() : s.sregs().gs.base());
            case CONTROL -> b.putLong(control(s.sregs(), reg.index()));
        }
        return b.array();
    }

    private static Segment selector(Sregs s, int i) {
        return switch (i) {
            case 0 -> s.cs;
            case 1 -> s.ss;
            case 2 -> s.ds;
            case 3 -> s.es;
            case 4 -> s.fs;
            default -> s.gs;
        };
    }

    /** kvm_fpu: fcw u16@128, fsw u16@130, ftwx u8@132 (abridged tag), last_opcode u16@134, last_ip u64@136, last_dp u64@144. */
    private static int x87Control(Fpu fpu, int i) {
        ByteBuffer f = ByteBuffer.wrap(fpu.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        return switch (i) {
            case 0 -> f.getShort(128) & 0xffff;
            case 1 -> f.getShort(130) & 0xffff;
            case 2 -> fullTag(f.get(132) & 0xff);
            case 4 -> (int) f.getLong(136);
            case 6 -> (int) f.getLong(144);
            case 7 -> f.getShort(134) & 0x7ff;
            default -> 0; // fiseg/foseg: 64-bit mode keeps no segment there
        };
    }

    /** FXSAVE's abridged tag (1 bit per register, 1 = valid) as the full FTW gdb shows (00 valid, 11 empty). */
    static int fullTag(int abridged) {
        int tag = 0;
        for (int i = 0; i < 8; i++) {
            tag |= ((abridged >> i) & 1) != 0 ? 0 : 3 << (2 * i);
        }
        return tag;
    }

    private static long control(Sregs s, int i) {
        return switch (i) {
            case 0 -> s.cr0;
            case 1 -> s.cr2;
            case 2 -> s.cr3;
            case 3 -> s.cr4;
            case 4 -> s.cr8;
            default -> s.efer;
        };
    }

    /**
     * Writes register {@code n} into {@code s} (the caller puts regs and sregs back into KVM).
     * @throws IllegalArgumentException for a register gdb may not change here (selectors, x87) or a wrong size
     */
    public static void write(State s, int n, byte[] value) {
        if (n < 0 || n >= REGISTERS.size()) {
            throw new IllegalArgumentException("no register " + n);
        }
        Register reg = REGISTERS.get(n);
        if (value.length != reg.bytes()) {
            throw new IllegalArgumentException(reg.name() + " is " + reg.bytes() + " bytes, got " + value.length);
        }
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        switch (reg.source()) {
            case GPR -> s.regs().set(reg.index(), b.getLong());
            case RIP -> s.regs().rip(b.getLong());
            case EFLAGS -> s.regs().rflags(b.getInt() & 0xffff_ffffL);
            case SEGMENT_BASE -> {
                long v = b.getLong();
                if (reg.index() == 0) s.sregs().fs = s.sregs().fs.withBase(v); else s.sregs().gs = s.sregs().gs.withBase(v);
            }
            case CONTROL -> {
                long v = b.getLong();
                switch (reg.index()) {
                    case 0 -> s.sregs().cr0 = v;
                    case 1 -> s.sregs().cr2 = v;
                    case 2 -> s.sregs().cr3 = v;
                    case 3 -> s.sregs().cr4 = v;
                    case 4 -> s.sregs().cr8 = v;
                    default -> s.sregs().efer = v;
                }
            }
            default -> throw new IllegalArgumentException(reg.name() + " cannot be changed from the debugger");
        }
    }

    /** Writes every register of a {@code G} packet; registers that cannot change must keep their value. */
    public static void writeAll(State s, byte[] all) {
        byte[] current = encodeAll(s);
        if (all.length != current.length) {
            throw new IllegalArgumentException("G packet has " + all.length + " bytes, the registers " + current.length);
        }
        int off = 0;
        for (int n = 0; n < REGISTERS.size(); n++) {
            Register reg = REGISTERS.get(n);
            byte[] v = java.util.Arrays.copyOfRange(all, off, off + reg.bytes());
            if (!java.util.Arrays.equals(v, java.util.Arrays.copyOfRange(current, off, off + reg.bytes()))) {
                write(s, n, v);
            }
            off += reg.bytes();
        }
    }

    /** The target description gdb asks for as {@code target.xml}. */
    public static String targetXml() {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
                + "<target version=\"1.0\">\n<architecture>i386:x86-64</architecture>\n");
        String feature = null;
        for (int n = 0; n < REGISTERS.size(); n++) {
            Register reg = REGISTERS.get(n);
            if (!reg.feature().equals(feature)) {
                if (feature != null) x.append("</feature>\n");
                feature = reg.feature();
                x.append("<feature name=\"").append(feature).append("\">\n");
                if (feature.equals(CORE)) {
                    x.append(EFLAGS_TYPE);
                }
            }
            x.append(String.format("<reg name=\"%s\" bitsize=\"%d\" type=\"%s\" regnum=\"%d\"%s/>%n", reg.name(),
                    reg.bits(), reg.type(), n, reg.source() == Source.X87_ST || reg.source() == Source.X87_CONTROL
                            ? " group=\"float\"" : reg.source() == Source.CONTROL ? " group=\"system\"" : ""));
        }
        return x.append("</feature>\n</target>\n").toString();
    }

    private static final String EFLAGS_TYPE = """
            <flags id="i386_eflags" size="4">
            <field name="CF" start="0" end="0"/><field name="" start="1" end="1"/><field name="PF" start="2" end="2"/>
            <field name="AF" start="4" end="4"/><field name="ZF" start="6" end="6"/><field name="SF" start="7" end="7"/>
            <field name="TF" start="8" end="8"/><field name="IF" start="9" end="9"/><field name="DF" start="10" end="10"/>
            <field name="OF" start="11" end="11"/><field name="NT" start="14" end="14"/><field name="RF" start="16" end="16"/>
            <field name="VM" start="17" end="17"/><field name="AC" start="18" end="18"/><field name="VIF" start="19" end="19"/>
            <field name="VIP" start="20" end="20"/><field name="ID" start="21" end="21"/>
            </flags>
            """;
}
