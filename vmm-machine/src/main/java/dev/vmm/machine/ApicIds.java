package dev.vmm.machine;

import dev.vmm.cpu.IrqchipMode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The APIC IDs of the vCPUs ({@code vmm run --apic-ids 0,256}). KVM gives a vCPU the x2APIC ID
 * equal to the id it was created with, so vCPU {@code i} is created with id {@code ids[i]}.
 *
 * <p>Rules, checked before KVM is touched: one ID per vCPU, no duplicates, the first is 0 (KVM's
 * default boot vCPU is id 0, so vCPU 0 stays the BSP without KVM_SET_BOOT_CPU_ID), and IDs from
 * {@link #FIRST_X2APIC_ONLY} up need {@code kernel-irqchip=split}, because only there does vmm turn
 * on KVM's x2APIC API (32-bit destinations). The KVM limit (KVM_CAP_MAX_VCPU_ID) is checked when
 * the VM is created, the x2APIC CPUID bit once the CPU model is known.
 */
public final class ApicIds {
    /** 255 is the xAPIC broadcast ID; from here on a CPU is reachable only in x2APIC mode. */
    public static final int FIRST_X2APIC_ONLY = 255;

    private ApicIds() {
    }

    /** 0..count-1, what every VM had before sparse IDs. */
    public static List<Integer> dense(int count) {
        return dev.vmm.firmware.Acpi.denseIds(count);
    }

    /** "0,256" -> [0, 256]; a one-line IllegalArgumentException for anything else. */
    public static List<Integer> parse(String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            try {
                out.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid --apic-ids '" + text + "': '" + part
                        + "' is not a number (expected a list such as 0,256)");
            }
        }
        return out;
    }

    /** Throws a one-line IllegalArgumentException when {@code ids} break a rule in the class comment. */
    public static void validate(List<Integer> ids, int cpuCount, IrqchipMode irqchip) {
        String list = String.join(",", ids.stream().map(String::valueOf).toList());
        if (ids.size() != cpuCount) {
            throw new IllegalArgumentException("--apic-ids " + list + " lists " + ids.size() + " IDs but --smp is "
                    + cpuCount + ": give one APIC ID per vCPU");
        }
        Set<Integer> seen = new HashSet<>();
        for (int id : ids) {
            if (id < 0) {
                throw new IllegalArgumentException("--apic-ids " + list + ": APIC ID " + id + " is negative");
            }
            if (!seen.add(id)) {
                throw new IllegalArgumentException("--apic-ids " + list + ": APIC ID " + id + " appears twice");
            }
            if (id >= FIRST_X2APIC_ONLY && irqchip != IrqchipMode.SPLIT) {
                throw new IllegalArgumentException("--apic-ids " + list + ": APIC ID " + id
                        + " needs -M kernel-irqchip=split (the x2APIC API is enabled only there)");
            }
        }
        if (ids.get(0) != 0) {
            throw new IllegalArgumentException("--apic-ids " + list + ": the first ID (the boot CPU) must be 0");
        }
    }

    /** True if some ID is only reachable in x2APIC mode. */
    public static boolean needsX2apic(List<Integer> ids) {
        return ids.stream().anyMatch(id -> id >= FIRST_X2APIC_ONLY);
    }
}
