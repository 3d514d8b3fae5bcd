package dev.vmm.api;

/** Where the interrupt controllers live: QEMU's {@code -machine kernel-irqchip=on|split}. */
public enum Irqchip {
    /** PIC, IOAPIC, LAPICs and PIT in KVM ({@code kernel-irqchip=on}, the default). */
    IN_KERNEL,
    /**
     * Only the LAPICs in KVM; vmm provides the IOAPIC, which signals MSIs
     * ({@code kernel-irqchip=split}; needed for APIC IDs from 255 up).
     */
    SPLIT
}
