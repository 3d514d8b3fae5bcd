package dev.vmm.vm;

import dev.vmm.boot.BootPlan;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.kvm.Fpu;
import dev.vmm.kvm.MpState;
import dev.vmm.kvm.Msr;
import dev.vmm.kvm.Regs;
import dev.vmm.kvm.Sregs;
import dev.vmm.kvm.VcpuFd;
import dev.vmm.kvm.VmFd;
import dev.vmm.memory.GuestMemory;
import dev.vmm.pv.PvMsr;

import java.util.ArrayList;
import java.util.List;

/**
 * What a reset in place does to a parked VM, as QEMU's system reset: every vCPU gets back the
 * registers, segment/control registers, FPU, LAPIC and MP state it had at power-on (and the
 * in-kernel PICs and IOAPIC theirs), the KVM PV MSRs get QEMU's reset values, and the boot plan is
 * loaded again. The VM parks its vCPUs around {@link #perform}; this class only moves state.
 */
final class PowerOnReset {
    /**
     * More guest resets than this in one run end it as a failure (a guest stuck in a reset loop).
     * Resets the operator asks for (QMP {@code system_reset}) do not count.
     */
    static final int MAX_RESETS = 100;

    /** Power-on state of one vCPU. */
    private record VcpuSnapshot(Regs regs, Sregs sregs, Fpu fpu, byte[] lapic, MpState mpState) {
    }

    private final VmFd vmFd;
    private final GuestMemory memory;
    private final IrqchipMode irqchip;
    private BootPlan plan;
    private final List<VcpuSnapshot> vcpuSnapshots = new ArrayList<>();
    /** Power-on state of the in-kernel PICs and IOAPIC (irqchip on only). */
    private final List<byte[]> irqchipSnapshots = new ArrayList<>();
    private volatile int count;
    private volatile int guestCount;

    PowerOnReset(VmFd vmFd, GuestMemory memory, IrqchipMode irqchip) {
        this.vmFd = vmFd;
        this.memory = memory;
        this.irqchip = irqchip;
    }

    /** Takes the power-on state, before any vCPU runs; {@code plan} (or null) is what a reset loads again. */
    void snapshot(List<VcpuFd> vcpus, BootPlan plan) {
        this.plan = plan;
        if (irqchip == IrqchipMode.ON) {
            for (int chip : new int[] {VmFd.IRQCHIP_PIC_MASTER, VmFd.IRQCHIP_PIC_SLAVE, VmFd.IRQCHIP_IOAPIC}) {
                irqchipSnapshots.add(vmFd.getIrqchip(chip));
            }
        }
        for (VcpuFd fd : vcpus) {
            vcpuSnapshots.add(new VcpuSnapshot(fd.getRegs(), fd.getSregs(), fd.getFpu(), fd.getLapic(), fd.getMpState()));
        }
    }

    /**
     * Resets the parked vCPUs, each on its own thread (a {@link VcpuCommand.Call} through its
     * mailbox); {@code byGuest} tells a guest's reset from the operator's.
     * @return false, changing nothing, when this would be guest reset number {@link #MAX_RESETS} + 1.
     * A KVM call that fails throws: the VM then ends with that error.
     */
    boolean perform(List<Vcpu> vcpus, boolean byGuest) {
        if (byGuest && guestCount >= MAX_RESETS) {
            return false;
        }
        if (byGuest) {
            guestCount++;
        }
        count++;
        for (byte[] chip : irqchipSnapshots) {
            vmFd.setIrqchip(chip);
        }
        List<Msr> pvMsrs = PvMsr.resetValues();
        for (int i = 0; i < vcpus.size(); i++) {
            VcpuSnapshot s = vcpuSnapshots.get(i);
            vcpus.get(i).call(fd -> {
                restore(fd, s, pvMsrs);
                return null;
            });
        }
        if (plan != null) {
            vcpus.get(0).call(bsp -> {
                BootState.load(plan, memory, bsp);
                return null;
            });
        }
        return true;
    }

    private static void restore(VcpuFd fd, VcpuSnapshot s, List<Msr> pvMsrs) {
        fd.setSregs(s.sregs());
        fd.setRegs(s.regs());
        fd.setFpu(s.fpu());
        fd.setLapic(s.lapic());
        fd.setMpState(s.mpState());
        for (Msr m : pvMsrs) {
            // One at a time: KVM stops at the first MSR the host does not know (or lets be
            // written, e.g. under kvm-pv-enforce-cpuid); such an MSR has nothing to reset.
            fd.setMsrsUntilRejected(List.of(m));
        }
    }

    /** Resets carried out so far. */
    int count() {
        return count;
    }
}
