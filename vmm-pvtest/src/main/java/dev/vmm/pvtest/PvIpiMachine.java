package dev.vmm.pvtest;

import dev.vmm.cpu.PvFeature;
import dev.vmm.machine.ApicIds;

import java.util.ArrayList;
import java.util.List;

/**
 * The vCPUs {@code vmm test} boots for kvm-pv-ipi: the last one gets APIC ID {@link #HIGH_ID}
 * (as {@code vmm run --apic-ids 0,96} would give it), so SEND_IPI must reach an APIC ID beyond the
 * first 64 — the 128-bit bitmap's bit 0 is APIC ID {@code min} (the hypercall's third argument),
 * and its high word covers {@code min}+64 to {@code min}+127. The test kernel sends to that vCPU
 * both ways (min = its ID; min = 0 with a high-word bit). Still below 255, so the in-kernel xAPIC
 * machine of the other rows is kept.
 */
final class PvIpiMachine {
    /** In 64..127: a bit of the bitmap's high word when min is 0. */
    static final int HIGH_ID = 96;

    private PvIpiMachine() {
    }

    static boolean applies(PvFeature f) {
        return f == PvFeature.PV_IPI;
    }

    /** 0..smp-2 and {@link #HIGH_ID} for kvm-pv-ipi with 2 or more vCPUs, else {@code dense}. */
    static List<Integer> apicIds(PvFeature f, List<Integer> dense) {
        List<Integer> ids = new ArrayList<>(dense);
        if (applies(f) && ids.size() >= 2) ids.set(ids.size() - 1, HIGH_ID);
        return ids;
    }
}
