package dev.vmm.vm;

import dev.vmm.bus.MsiSink;
import dev.vmm.kvm.VmFd;

/**
 * Delivers a device's MSI through {@code KVM_SIGNAL_MSI} (split irqchip: the user-space IOAPIC
 * sends its interrupts here). With kvm-msi-ext-dest-id the guest puts APIC ID bits 14:8 in MSI
 * address bits 11:5; KVM's x2APIC API expects them in the high address dword, so they are moved
 * there first ({@link MsiAddress#moveExtendedDestination}), as QEMU does.
 */
public final class KvmMsiSink implements MsiSink {
    private final VmFd vm;
    private final boolean extendedDestination;

    public KvmMsiSink(VmFd vm, boolean extendedDestination) {
        this.vm = vm;
        this.extendedDestination = extendedDestination;
    }

    @Override
    public void signal(long address, int data) {
        vm.signalMsi(extendedDestination ? MsiAddress.moveExtendedDestination(address) : address, data);
    }
}
