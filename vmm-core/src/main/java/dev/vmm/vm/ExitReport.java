package dev.vmm.vm;

import dev.vmm.kvm.Regs;
import dev.vmm.kvm.Segment;
import dev.vmm.kvm.Sregs;
import dev.vmm.kvm.VcpuExit;
import dev.vmm.kvm.VcpuFd;
import dev.vmm.memory.GuestMemory;

/**
 * Text reports for the exits that end a VM badly, laid out like QEMU's so that people who know
 * QEMU's "KVM internal error" dump can read them: suberror, extra data, registers, segments,
 * control registers and the code bytes around RIP (the byte at RIP in angle brackets).
 */
final class ExitReport {
    /** KVM_INTERNAL_ERROR_* suberrors, as QEMU names them. */
    private static final String[] SUBERRORS = {
            "", "emulation failure", "simultaneous exception", "delivery event", "unexpected exit reason",
            "delivery event (event vectoring)"};
    private static final int CODE_BYTES_BEFORE = 43;
    private static final int CODE_BYTES_AFTER = 21;

    private final GuestMemory memory;

    ExitReport(GuestMemory memory) {
        this.memory = memory;
    }

    String internalError(int vcpu, VcpuFd fd, VcpuExit.InternalError error) {
        StringBuilder sb = new StringBuilder();
        int suberror = error.suberror();
        sb.append("KVM internal error. Suberror: ").append(suberror).append('\n');
        for (int i = 0; i < error.data().size(); i++) {
            sb.append(String.format("extra data[%d]: 0x%016x%n", i, error.data().get(i)));
        }
        if (suberror > 0 && suberror < SUBERRORS.length) {
            sb.append(SUBERRORS[suberror]).append('\n');
        }
        sb.append(String.format("vCPU %d stopped; the guest cannot continue.%n", vcpu));
        return sb.append(registers(fd)).toString();
    }

    String tripleFault(int vcpu, VcpuFd fd) {
        return "vmm: guest triple fault (KVM_EXIT_SHUTDOWN) on vCPU " + vcpu + "\n" + registers(fd);
    }

    String failEntry(int vcpu, VcpuFd fd, VcpuExit.FailEntry failure) {
        return String.format("KVM: entry failed, hardware error 0x%x (vCPU %d, host cpu %d)%n",
                failure.hardwareReason(), vcpu, failure.cpu()) + registers(fd);
    }

    /** The register dump; never throws (a report must not hide the original failure). */
    String registers(VcpuFd fd) {
        try {
            return format(fd.getRegs(), fd.getSregs());
        } catch (RuntimeException e) {
            return "(registers unavailable: " + e.getMessage() + ")\n";
        }
    }

    String format(Regs r, Sregs s) {
        return format(r, s, true);
    }

    /** QEMU's register dump; {@code withCode} adds the "Code=" line of its failure reports. */
    String format(Regs r, Sregs s, boolean withCode) {
        StringBuilder sb = new StringBuilder();
        boolean longMode = (s.efer & (1L << 10)) != 0;
        if (longMode) {
            sb.append(String.format("RAX=%016x RBX=%016x RCX=%016x RDX=%016x%n", r.rax(), r.rbx(), r.rcx(), r.rdx()));
            sb.append(String.format("RSI=%016x RDI=%016x RBP=%016x RSP=%016x%n", r.rsi(), r.rdi(), r.get(Regs.RBP), r.rsp()));
            sb.append(String.format("R8 =%016x R9 =%016x R10=%016x R11=%016x%n", r.get(Regs.R8), r.get(Regs.R9), r.get(Regs.R10), r.get(Regs.R11)));
            sb.append(String.format("R12=%016x R13=%016x R14=%016x R15=%016x%n", r.get(Regs.R12), r.get(Regs.R13), r.get(Regs.R14), r.get(Regs.R15)));
            sb.append(String.format("RIP=%016x RFL=%08x [%s] CPL=%d%n", r.rip(), r.rflags(), flags(r.rflags()), s.cs.dpl()));
        } else {
            sb.append(String.format("EAX=%08x EBX=%08x ECX=%08x EDX=%08x%n", r.rax(), r.rbx(), r.rcx(), r.rdx()));
            sb.append(String.format("ESI=%08x EDI=%08x EBP=%08x ESP=%08x%n", r.rsi(), r.rdi(), r.get(Regs.RBP), r.rsp()));
            sb.append(String.format("EIP=%08x EFL=%08x [%s] CPL=%d%n", r.rip(), r.rflags(), flags(r.rflags()), s.cs.dpl()));
        }
        segment(sb, "ES =", s.es, longMode);
        segment(sb, "CS =", s.cs, longMode);
        segment(sb, "SS =", s.ss, longMode);
        segment(sb, "DS =", s.ds, longMode);
        segment(sb, "FS =", s.fs, longMode);
        segment(sb, "GS =", s.gs, longMode);
        segment(sb, "LDT=", s.ldt, longMode);
        segment(sb, "TR =", s.tr, longMode);
        String w = longMode ? "%016x" : "%08x";
        sb.append(String.format("GDT=     " + w + " %08x%n", s.gdt.base(), s.gdt.limit()));
        sb.append(String.format("IDT=     " + w + " %08x%n", s.idt.base(), s.idt.limit()));
        sb.append(String.format("CR0=%08x CR2=" + w + " CR3=" + w + " CR4=%08x%n", s.cr0, s.cr2, s.cr3, s.cr4));
        sb.append(String.format("EFER=%016x APIC_BASE=%016x%n", s.efer, s.apicBase));
        if (withCode) {
            sb.append(code(r, s)).append('\n');
        }
        return sb.toString();
    }

    private static void segment(StringBuilder sb, String name, Segment seg, boolean longMode) {
        // QEMU prints the descriptor's high dword attribute bits, so print the same packing.
        int attributes = (seg.type() << 8) | (bit(seg.s()) << 12) | (seg.dpl() << 13) | (bit(seg.present()) << 15)
                | (bit(seg.avl()) << 20) | (bit(seg.l()) << 21) | (bit(seg.db()) << 22) | (bit(seg.g()) << 23);
        sb.append(String.format(longMode ? "%s%04x %016x %08x %08x%n" : "%s%04x %08x %08x %08x%n",
                name, seg.selector(), seg.base(), seg.limit(), attributes));
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

    /** "Code=" line: the bytes around CS:RIP, with the byte at RIP in angle brackets. */
    private String code(Regs r, Sregs s) {
        long linear = s.cs.base() + r.rip();
        StringBuilder sb = new StringBuilder("Code=");
        for (long a = linear - CODE_BYTES_BEFORE; a < linear + CODE_BYTES_AFTER; a++) {
            long gpa = PageWalk.translate(memory, s, a);
            String b = "??";
            if (gpa >= 0 && memory.isRam(gpa, 1)) {
                b = String.format("%02x", memory.readU8(gpa));
            }
            sb.append(a == linear ? "<" + b + ">" : b);
            if (a + 1 < linear + CODE_BYTES_AFTER) {
                sb.append(' ');
            }
        }
        return sb.toString();
    }
}
