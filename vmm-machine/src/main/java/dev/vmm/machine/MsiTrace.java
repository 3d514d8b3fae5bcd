package dev.vmm.machine;

import dev.vmm.bus.MsiSink;
import dev.vmm.vm.KvmMsiSink;

import java.io.PrintStream;

/**
 * The user-space IOAPIC's way into KVM (split irqchip), which can print every MSI it sends:
 * the address the IOAPIC made, the address KVM_SIGNAL_MSI got (extended destination bits 11:5
 * moved to the high dword only with kvm-msi-ext-dest-id) and KVM's answer. That line is the
 * host's evidence of where an interrupt for an APIC ID above 255 went: KVM itself reads the
 * destination from address bits 19:12 and, with the x2APIC API, the high dword; bits 11:5 it
 * ignores, so without the feature it delivers to APIC ID (dest &amp; 0xff). It wraps the
 * {@link KvmMsiSink}, which does the sending and the moving of those bits.
 */
final class MsiTrace implements MsiSink {
    private final KvmMsiSink kvm;
    private volatile PrintStream out; // null: quiet

    MsiTrace(KvmMsiSink kvm) {
        this.kvm = kvm;
    }

    void printTo(PrintStream stream) {
        out = stream;
    }

    @Override
    public void signal(long address, int data) {
        int delivered = kvm.deliver(address, data);
        PrintStream o = out;
        if (o != null) {
            long sent = kvm.kvmAddress(address);
            o.printf("vmm: IOAPIC MSI address 0x%x data 0x%x -> KVM_SIGNAL_MSI address_hi 0x%x address_lo 0x%x"
                    + " (destination %d): %s%n", address, data, sent >>> 32, sent & 0xffffffffL, destination(sent),
                    delivered > 0 ? "delivered" : "blocked by the guest");
        }
    }

    /** The physical destination KVM's x2APIC API reads: address bits 19:12 and the high dword's bits 31:8. */
    static long destination(long kvmAddress) {
        return ((kvmAddress >>> 12) & 0xff) | ((kvmAddress >>> 32) & 0xffffff00L);
    }
}
