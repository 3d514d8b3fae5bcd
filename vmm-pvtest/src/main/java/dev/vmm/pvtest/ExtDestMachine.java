package dev.vmm.pvtest;

import dev.vmm.cpu.IrqchipMode;
import dev.vmm.cpu.PvFeature;
import dev.vmm.machine.ApicIds;

import java.util.ArrayList;
import java.util.List;

/**
 * The machine {@code vmm test} boots for kvm-msi-ext-dest-id, which differs from the other
 * features' boots: the bit only exists with the user-space IOAPIC (split irqchip, as in QEMU),
 * and proving it needs a vCPU whose APIC ID is above 255 (the last vCPU gets {@link #HIGH_ID})
 * and a BSP in x2APIC mode before the APs start ({@code pvtest.extdest=1}). Every other feature
 * gets the usual in-kernel irqchip and APIC IDs 0..N-1.
 */
final class ExtDestMachine {
    /** The smallest APIC ID that needs destination bits 14:8. */
    static final int HIGH_ID = 256;

    private ExtDestMachine() {
    }

    static boolean applies(PvFeature f) {
        return f == PvFeature.MSI_EXT_DEST_ID;
    }

    static IrqchipMode irqchip(PvFeature f) {
        return applies(f) ? IrqchipMode.SPLIT : IrqchipMode.ON;
    }

    /** 0..smp-2 and {@link #HIGH_ID} for kvm-msi-ext-dest-id, else 0..smp-1. */
    static List<Integer> apicIds(PvFeature f, int smp) {
        List<Integer> ids = new ArrayList<>(ApicIds.dense(smp));
        if (applies(f) && smp >= 2) ids.set(smp - 1, HIGH_ID);
        return ids;
    }

    /** Extra guest command line: " pvtest.extdest=1" or "". */
    static String append(PvFeature f) {
        return applies(f) ? " pvtest.extdest=1" : "";
    }
}
