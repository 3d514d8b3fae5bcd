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
        deliver(address, data);
    }

    /** Sends the MSI and returns KVM's answer (&gt;0 delivered, 0 blocked by the guest), for a trace. */
    public int deliver(long address, int data) {
        return vm.signalMsi(kvmAddress(address), data);
    }

    /** The address KVM_SIGNAL_MSI gets for a device's MSI {@code address} (bits 11:5 moved only with kvm-msi-ext-dest-id). */
    public long kvmAddress(long address) {
        return extendedDestination ? MsiAddress.moveExtendedDestination(address) : address;
    }
}
