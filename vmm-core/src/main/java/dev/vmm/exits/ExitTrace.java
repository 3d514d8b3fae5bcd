package dev.vmm.exits;

import dev.vmm.bus.IoBus;
import dev.vmm.bus.MmioBus;
import dev.vmm.kvm.VcpuExit;
import dev.vmm.kvm.VcpuFd;
import dev.vmm.vm.ExitObserver;

import java.io.PrintStream;

/**
 * {@code --trace exits}: one line per KVM_RUN exit, written after the VMM handled it (so an IN or
 * MMIO read shows the value the guest got):
 * <pre>
 *   0.012345 vcpu 0 KVM_EXIT_IO out port=0x3f8 size=1 data=0x41 dev=Uart8250 rip=0x101234
 * </pre>
 * seconds since the trace started, the vCPU, the reason, the access and its device ("unassigned"
 * when no device claims it), and RIP (one KVM_GET_REGS per exit: tracing slows the guest down;
 * with the trace off the run loop does not call any observer).
 */
public final class ExitTrace implements ExitObserver {
    private final PrintStream out;
    private final IoBus io;
    private final MmioBus mmio;
    private final long startNanos = System.nanoTime();

    public ExitTrace(PrintStream out, IoBus io, MmioBus mmio) {
        this.out = out;
        this.io = io;
        this.mmio = mmio;
    }

    @Override
    public void onExit(int vcpu, VcpuFd fd, VcpuExit exit, long exitNanos, long handledNanos) {
        String what = ExitDescription.describe(exit, io, mmio);
        long rip = fd.getRegs().rip();
        String line = String.format("%.6f vcpu %d %s rip=0x%x", (exitNanos - startNanos) / 1e9, vcpu, what, rip);
        synchronized (out) {
            out.println(line);
        }
    }

    /** Flushes what was written (at the end of the run). */
    public void flush() {
        out.flush();
    }
}
