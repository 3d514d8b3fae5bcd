package dev.vmm.vm;

import dev.vmm.cpu.IrqchipMode;
import dev.vmm.firmware.Acpi;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link Vm} is built from, fixed before it exists (a VM has no setters):
 *
 * @param ramSize   guest RAM in bytes
 * @param apicIds   vCPU {@code i} is created with KVM vcpu id {@code apicIds.get(i)}, which KVM makes its
 *                  (x2)APIC ID; vCPU 0 (id 0) is the BSP
 * @param irqchip   {@code ON}: PIC, IOAPIC, LAPICs and PIT in KVM; {@code SPLIT}: only the LAPICs (the
 *                  machine provides an IOAPIC that sends MSIs) with the x2APIC API and 32-bit APIC IDs
 * @param memPath   null: anonymous RAM; else RAM in a shared file mapping ({@code -mem-path})
 * @param noReboot  QEMU's {@code -no-reboot}: a reset request ends the run with status 0
 */
public record VmSpec(long ramSize, List<Integer> apicIds, IrqchipMode irqchip, Path memPath, boolean noReboot) {
    public VmSpec {
        apicIds = List.copyOf(apicIds);
        if (apicIds.isEmpty()) {
            throw new IllegalArgumentException("a VM needs at least one vCPU");
        }
        Objects.requireNonNull(irqchip, "irqchip");
    }

    /** {@code cpuCount} vCPUs with APIC IDs 0..n-1, in-kernel irqchip, anonymous RAM, a reset reboots. */
    public static VmSpec of(long ramSize, int cpuCount) {
        return new VmSpec(ramSize, Acpi.denseIds(cpuCount), IrqchipMode.ON, null, false);
    }

    public VmSpec withApicIds(List<Integer> ids) {
        return new VmSpec(ramSize, ids, irqchip, memPath, noReboot);
    }

    public VmSpec withIrqchip(IrqchipMode mode) {
        return new VmSpec(ramSize, apicIds, mode, memPath, noReboot);
    }

    public VmSpec withMemPath(Path path) {
        return new VmSpec(ramSize, apicIds, irqchip, path, noReboot);
    }

    public VmSpec withNoReboot(boolean on) {
        return new VmSpec(ramSize, apicIds, irqchip, memPath, on);
    }

    public int cpuCount() {
        return apicIds.size();
    }
}
