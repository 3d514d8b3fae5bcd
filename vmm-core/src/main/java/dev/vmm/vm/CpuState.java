package dev.vmm.vm;

import dev.vmm.kvm.Fpu;
import dev.vmm.kvm.MpState;
import dev.vmm.kvm.Regs;
import dev.vmm.kvm.Sregs;
import dev.vmm.kvm.VcpuFd;

/**
 * One vCPU's architectural state as a register dump needs it: general, segment and control
 * registers, the x87/SSE state, DR0-DR3/DR6/DR7 and whether the vCPU is halted. Read with the
 * vCPU outside {@code KVM_RUN} (vCPU ioctls wait for it to return).
 *
 * @param debugRegs DR0, DR1, DR2, DR3, DR6, DR7; null when the host would not say
 * @param fpu null when the host would not say
 */
public record CpuState(Regs regs, Sregs sregs, Fpu fpu, long[] debugRegs, boolean halted) {
    /** Reads every part; a part the host refuses (an old KVM without KVM_GET_DEBUGREGS) is left out, not fatal. */
    public static CpuState read(VcpuFd fd) {
        Regs regs = fd.getRegs();
        Sregs sregs = fd.getSregs();
        Fpu fpu = null;
        long[] dr = null;
        boolean halted = false;
        try {
            fpu = fd.getFpu();
        } catch (RuntimeException e) {
            // dump without the FPU lines
        }
        try {
            dr = fd.getDebugRegs();
        } catch (RuntimeException e) {
            // dump DRs as zero
        }
        try {
            halted = fd.getMpState().state() == MpState.HALTED;
        } catch (RuntimeException e) {
            // HLT=0
        }
        return new CpuState(regs, sregs, fpu, dr, halted);
    }
}
