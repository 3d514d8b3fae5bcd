package dev.vmm.vm;

import dev.vmm.kvm.Regs;
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

    /**
     * kvm-amd handles the shutdown intercept by reinitializing the VMCB, so the vCPU has already
     * been reset when vmm reads it: the dump then shows the reset vector, not the faulting
     * instruction, and the report says so and where the real RIP can be found.
     */
    static final String RESET_STATE_NOTE = "(these are the vCPU's registers after KVM reset it on the shutdown, as kvm-amd"
            + " does: not where the guest faulted; KVM's kvm_exit tracepoint (reason shutdown) has the RIP,"
            + " and vmm's --trace exits the exits before it)\n";
    private static final long RESET_RIP = 0xfff0;
    private static final int RESET_CS_SELECTOR = 0xf000;
    private static final long RESET_CS_BASE = 0xffff0000L;

    String tripleFault(int vcpu, VcpuFd fd) {
        return "vmm: guest triple fault (KVM_EXIT_SHUTDOWN) on vCPU " + vcpu + "\n" + registers(fd, true);
    }

    /** The architectural state after RESET or INIT: CS:IP f000:fff0 with CS's base at 0xffff0000. */
    static boolean isResetState(Regs r, Sregs s) {
        return r.rip() == RESET_RIP && s.cs.selector() == RESET_CS_SELECTOR && s.cs.base() == RESET_CS_BASE;
    }

    String failEntry(int vcpu, VcpuFd fd, VcpuExit.FailEntry failure) {
        return String.format("KVM: entry failed, hardware error 0x%x (vCPU %d, host cpu %d)%n",
                failure.hardwareReason(), vcpu, failure.cpu()) + registers(fd);
    }

    /** The register dump; never throws (a report must not hide the original failure). */
    String registers(VcpuFd fd) {
        return registers(fd, false);
    }

    /** @param afterShutdown read after KVM_EXIT_SHUTDOWN: a dump of the reset state then says it is one */
    private String registers(VcpuFd fd, boolean afterShutdown) {
        try {
            CpuState cpu = CpuState.read(fd);
            boolean reset = afterShutdown && isResetState(cpu.regs(), cpu.sregs());
            return CpuStateDump.format(cpu, false) + code(cpu.regs(), cpu.sregs()) + "\n" + (reset ? RESET_STATE_NOTE : "");
        } catch (RuntimeException e) {
            return "(registers unavailable: " + e.getMessage() + ")\n";
        }
    }

    String format(Regs r, Sregs s) {
        return format(r, s, true);
    }

    /** QEMU's register dump ({@link CpuStateDump}); {@code withCode} adds the "Code=" line of its failure reports. */
    String format(Regs r, Sregs s, boolean withCode) {
        String dump = CpuStateDump.format(new CpuState(r, s, null, null, false), false);
        return withCode ? dump + code(r, s) + "\n" : dump;
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
