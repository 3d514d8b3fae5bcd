package dev.vmm.vm;

import dev.vmm.kvm.Regs;
import dev.vmm.kvm.Segment;
import dev.vmm.kvm.Sregs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * QEMU's x86 register dump (target/i386/cpu-dump.c, what {@code info registers} and the failure
 * reports print), laid out the same way so that people who read QEMU's dumps can read vmm's:
 * 64-bit register names while CS is a long-mode code segment, 32-bit ones otherwise; each segment
 * with its descriptor attribute bits and, in protected mode, the decoded kind ("DPL=0 CS64 [-RA]");
 * descriptor tables, control and debug registers, EFER; optionally the x87 and SSE registers.
 *
 * <p>What KVM does not tell vmm is printed as QEMU prints it for a vCPU in the ordinary state:
 * II (interrupt shadow) 0, A20 1, SMM 0; YMM/ZMM halves are not read, so the SSE part is always
 * the XMM form.
 */
public final class CpuStateDump {
    private static final long CR0_PE = 1;
    private static final long EFER_LMA = 1L << 10;
    private static final String[] SYSTEM_TYPES_32 = {
            "Reserved", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16", "TaskGate", "IntGate16", "TrapGate16",
            "Reserved", "TSS32-avl", "Reserved", "TSS32-busy", "CallGate32", "Reserved", "IntGate32", "TrapGate32"};
    private static final String[] SYSTEM_TYPES_64 = {
            "<hiword>", "Reserved", "LDT", "Reserved", "Reserved", "Reserved", "Reserved", "Reserved", "Reserved",
            "TSS64-avl", "Reserved", "TSS64-busy", "CallGate64", "Reserved", "IntGate64", "TrapGate64"};

    private CpuStateDump() {
    }

    /** The dump; {@code withFpu} adds QEMU's CPU_DUMP_FPU part (FCW, FPR0-7, XMM registers), as {@code info registers} does. */
    public static String format(CpuState cpu, boolean withFpu) {
        Regs r = cpu.regs();
        Sregs s = cpu.sregs();
        boolean lma = (s.efer & EFER_LMA) != 0;
        boolean cs64 = lma && s.cs.l();
        int cpl = s.ss.dpl();
        long fl = r.rflags();
        String tail = String.format(" [%s] CPL=%d II=0 A20=1 SMM=0 HLT=%d%n", flags(fl), cpl, cpu.halted() ? 1 : 0);
        StringBuilder sb = new StringBuilder();
        if (cs64) {
            sb.append(String.format("RAX=%016x RBX=%016x RCX=%016x RDX=%016x%n", r.rax(), r.rbx(), r.rcx(), r.rdx()));
            sb.append(String.format("RSI=%016x RDI=%016x RBP=%016x RSP=%016x%n", r.rsi(), r.rdi(), r.get(Regs.RBP), r.rsp()));
            sb.append(String.format("R8 =%016x R9 =%016x R10=%016x R11=%016x%n",
                    r.get(Regs.R8), r.get(Regs.R9), r.get(Regs.R10), r.get(Regs.R11)));
            sb.append(String.format("R12=%016x R13=%016x R14=%016x R15=%016x%n",
                    r.get(Regs.R12), r.get(Regs.R13), r.get(Regs.R14), r.get(Regs.R15)));
            sb.append(String.format("RIP=%016x RFL=%08x", r.rip(), fl & 0xffff_ffffL)).append(tail);
        } else {
            sb.append(String.format("EAX=%08x EBX=%08x ECX=%08x EDX=%08x%n", u32(r.rax()), u32(r.rbx()), u32(r.rcx()), u32(r.rdx())));
            sb.append(String.format("ESI=%08x EDI=%08x EBP=%08x ESP=%08x%n",
                    u32(r.rsi()), u32(r.rdi()), u32(r.get(Regs.RBP)), u32(r.rsp())));
            sb.append(String.format("EIP=%08x EFL=%08x", u32(r.rip()), fl & 0xffff_ffffL)).append(tail);
        }
        boolean pe = (s.cr0 & CR0_PE) != 0;
        segment(sb, "ES", s.es, cs64, pe, lma);
        segment(sb, "CS", s.cs, cs64, pe, lma);
        segment(sb, "SS", s.ss, cs64, pe, lma);
        segment(sb, "DS", s.ds, cs64, pe, lma);
        segment(sb, "FS", s.fs, cs64, pe, lma);
        segment(sb, "GS", s.gs, cs64, pe, lma);
        segment(sb, "LDT", s.ldt, cs64, pe, lma);
        segment(sb, "TR", s.tr, cs64, pe, lma);
        long[] dr = cpu.debugRegs() != null ? cpu.debugRegs() : new long[6];
        if (lma) {
            sb.append(String.format("GDT=     %016x %08x%n", s.gdt.base(), s.gdt.limit()));
            sb.append(String.format("IDT=     %016x %08x%n", s.idt.base(), s.idt.limit()));
            sb.append(String.format("CR0=%08x CR2=%016x CR3=%016x CR4=%08x%n", u32(s.cr0), s.cr2, s.cr3, u32(s.cr4)));
        } else {
            sb.append(String.format("GDT=     %08x %08x%n", u32(s.gdt.base()), s.gdt.limit()));
            sb.append(String.format("IDT=     %08x %08x%n", u32(s.idt.base()), s.idt.limit()));
            sb.append(String.format("CR0=%08x CR2=%08x CR3=%08x CR4=%08x%n", u32(s.cr0), u32(s.cr2), u32(s.cr3), u32(s.cr4)));
        }
        // qemu-system-x86_64's target_ulong is 64 bits wide, so the DRs are 16 digits in every mode.
        for (int i = 0; i < 4; i++) {
            sb.append(String.format("DR%d=%016x ", i, dr[i]));
        }
        sb.append(String.format("%nDR6=%016x DR7=%016x%n", dr[4], dr[5]));
        sb.append(String.format("EFER=%016x%n", s.efer));
        if (withFpu && cpu.fpu() != null) {
            fpu(sb, cpu.fpu().bytes(), cs64);
        }
        return sb.toString();
    }

    /** struct kvm_fpu: fpr[8][16]@0, fcw@128, fsw@130, ftwx@132 (abridged: bit set = valid, as QEMU's FTW), xmm[16][16]@152, mxcsr@408. */
    private static void fpu(StringBuilder sb, byte[] raw, boolean cs64) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int fcw = b.getShort(128) & 0xffff;
        int fsw = b.getShort(130) & 0xffff;
        int ftw = b.get(132) & 0xff;
        int mxcsr = b.getInt(408);
        sb.append(String.format("FCW=%04x FSW=%04x [ST=%d] FTW=%02x MXCSR=%08x%n", fcw, fsw, (fsw >> 11) & 7, ftw, mxcsr));
        for (int i = 0; i < 8; i++) {
            sb.append(String.format("FPR%d=%016x %04x", i, b.getLong(i * 16), b.getShort(i * 16 + 8) & 0xffff));
            sb.append((i & 1) == 1 ? "\n" : " ");
        }
        int count = cs64 ? 16 : 8;
        for (int i = 0; i < count; i++) {
            int at = 152 + i * 16;
            sb.append(String.format("XMM%02d=%016x %016x", i, b.getLong(at + 8), b.getLong(at)));
            sb.append((i & 1) == 1 ? "\n" : " ");
        }
    }

    private static void segment(StringBuilder sb, String name, Segment seg, boolean cs64, boolean pe, boolean lma) {
        // QEMU keeps the descriptor's high dword attribute bits; an unusable segment counts as not present, as QEMU's KVM glue does.
        boolean present = seg.present() && !seg.unusable();
        int type = seg.type() & 0xf;
        int attributes = (type << 8) | (bit(seg.s()) << 12) | (seg.dpl() << 13) | (bit(present) << 15)
                | (bit(seg.avl()) << 20) | (bit(seg.l()) << 21) | (bit(seg.db()) << 22) | (bit(seg.g()) << 23);
        String label = String.format("%-3s", name);
        if (cs64) {
            sb.append(String.format("%s=%04x %016x %08x %08x", label, seg.selector(), seg.base(), seg.limit(), attributes));
        } else {
            sb.append(String.format("%s=%04x %08x %08x %08x", label, seg.selector(), u32(seg.base()), seg.limit(), attributes));
        }
        if (pe && present) {
            sb.append(" DPL=").append(seg.dpl()).append(' ');
            if (seg.s()) {
                if ((type & 8) != 0) {
                    sb.append(seg.l() ? "CS64" : seg.db() ? "CS32" : "CS16");
                    sb.append(" [").append((type & 4) != 0 ? 'C' : '-').append((type & 2) != 0 ? 'R' : '-');
                } else {
                    sb.append(seg.db() || lma ? "DS  " : "DS16");
                    sb.append(" [").append((type & 4) != 0 ? 'E' : '-').append((type & 2) != 0 ? 'W' : '-');
                }
                sb.append((type & 1) != 0 ? 'A' : '-').append(']');
            } else {
                sb.append((lma ? SYSTEM_TYPES_64 : SYSTEM_TYPES_32)[type]);
            }
        }
        sb.append('\n');
    }

    private static long u32(long v) {
        return v & 0xffff_ffffL;
    }

    private static int bit(boolean b) {
        return b ? 1 : 0;
    }

    /** QEMU's order: DF, OF, SF, ZF, AF, PF, CF. */
    private static String flags(long f) {
        char[] c = {
                (f & 0x400) != 0 ? 'D' : '-', (f & 0x800) != 0 ? 'O' : '-', (f & 0x80) != 0 ? 'S' : '-',
                (f & 0x40) != 0 ? 'Z' : '-', (f & 0x10) != 0 ? 'A' : '-', (f & 0x4) != 0 ? 'P' : '-',
                (f & 0x1) != 0 ? 'C' : '-'};
        return new String(c);
    }
}
