package dev.vmm.kvm;

import dev.vmm.memory.GuestMemory;
import dev.vmm.memory.MemoryRegion;

/**
 * The VM the KVM tests run their tiny guests in: in-kernel irqchip, TSS address set, 2 MiB of RAM
 * in memory slots. Closed in reverse order of creation.
 */
final class TinyVm implements AutoCloseable {
    final Kvm kvm;
    final VmFd vm;
    final GuestMemory mem;

    private TinyVm(Kvm kvm, VmFd vm, GuestMemory mem) {
        this.kvm = kvm;
        this.vm = vm;
        this.mem = mem;
    }

    /** Opens /dev/kvm, checks {@code extraCaps} beyond the basics, and builds the VM. */
    static TinyVm open(int... extraCaps) {
        Kvm kvm = Kvm.open();
        kvm.requireCapabilities(Ioctls.KVM_CAP_IRQCHIP, Ioctls.KVM_CAP_USER_MEMORY, Ioctls.KVM_CAP_SET_TSS_ADDR);
        kvm.requireCapabilities(extraCaps);
        VmFd vm = kvm.createVm();
        vm.setTssAddr(0xfffb_d000L);
        vm.createIrqchip();
        GuestMemory mem = GuestMemory.create(2 << 20);
        int slot = 0;
        for (MemoryRegion r : mem.regions()) {
            vm.setUserMemoryRegion(slot++, 0, r.gpa(), r.size(), r.hostAddress());
        }
        return new TinyVm(kvm, vm, mem);
    }

    @Override
    public void close() {
        vm.close();
        mem.close();
        kvm.close();
    }
}
