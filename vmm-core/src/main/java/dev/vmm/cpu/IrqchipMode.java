package dev.vmm.cpu;

import java.util.Locale;

/** {@code -machine kernel-irqchip=on|split|off}: where the interrupt controllers live. */
public enum IrqchipMode {
    /** LAPIC, IOAPIC and PIC in the kernel. */
    ON,
    /** LAPIC in the kernel, IOAPIC/PIC in user space (KVM_CAP_SPLIT_IRQCHIP). */
    SPLIT,
    /** Everything in user space: no in-kernel LAPIC, so no PV unhalt kicks. */
    OFF;

    public boolean lapicInKernel() { return this != OFF; }

    public static IrqchipMode parse(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "on": return ON;
            case "split": return SPLIT;
            case "off": return OFF;
            default:
                throw new IllegalArgumentException(
                        "Parameter 'kernel-irqchip' expects 'on', 'split' or 'off'");
        }
    }
}
