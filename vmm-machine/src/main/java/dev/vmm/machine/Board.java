package dev.vmm.machine;

import dev.vmm.bus.IrqLine;
import dev.vmm.bus.MsiSink;
import dev.vmm.bus.PioDevice;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.devices.IoApic;
import dev.vmm.firmware.AcpiDevice;
import dev.vmm.firmware.AcpiTables;
import dev.vmm.platform.PlatformLayout;
import dev.vmm.vm.Vm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The devices attached to a VM (as Firecracker's device manager): attaching a device is one call
 * that puts it on its bus range, connects its interrupt line (if it has one) to whichever
 * interrupt controller the board has, and records its part of the ACPI tables. When everything
 * is attached, {@link #firmwareTables} generates the ACPI tables from what was attached.
 */
final class Board {
    private final Vm vm;
    private final List<AcpiDevice> acpi = new ArrayList<>();
    /** The user-space IOAPIC (split irqchip), else null: KVM's own IOAPIC takes the ISA lines. */
    private final IoApic ioapic;

    /**
     * Attaches the I/O APIC: KVM's (irqchip on) or, with a split irqchip, a user-space one at its
     * layout address that turns interrupts into MSIs sent to {@code msi}. Both are in the MADT.
     */
    Board(Vm vm, MsiSink msi) {
        this.vm = vm;
        if (vm.irqchip() == IrqchipMode.SPLIT) {
            ioapic = new IoApic(msi);
            vm.mmio().register(PlatformLayout.IOAPIC_ADDRESS, PlatformLayout.IOAPIC_SIZE, ioapic);
        } else {
            ioapic = null;
        }
        acpi.add(new AcpiDevice.IoApic(0, PlatformLayout.IOAPIC_ADDRESS, 0));
    }

    /** ISA interrupt line {@code irq} (= IOAPIC pin) of this board's interrupt controller. */
    private IrqLine isaIrq(int irq) {
        return ioapic != null ? ioapic.pin(irq) : vm.isaIrq(irq);
    }

    /** Puts {@code device} on the port bus at {@code ports}, with its ACPI parts (if any). */
    void attach(PlatformLayout.PortRange ports, PioDevice device, AcpiDevice... description) {
        vm.io().register(ports.base(), ports.size(), ports.device(), device);
        acpi.addAll(List.of(description));
    }

    /**
     * Attaches a device that raises ISA interrupt {@code irq}: {@code wiredTo} builds it around that
     * line (a device gets its line at construction, so that it can never raise an unconnected one),
     * then it goes on the port bus at {@code ports} with its ACPI parts. @return the device
     */
    <D extends PioDevice> D attach(PlatformLayout.PortRange ports, int irq, Function<IrqLine, D> wiredTo,
                                   AcpiDevice... description) {
        D device = wiredTo.apply(isaIrq(irq));
        attach(ports, device, description);
        return device;
    }

    boolean isAttached(PlatformLayout.PortRange ports) {
        return vm.io().isRegistered(ports.base());
    }

    /** The ACPI tables for the vCPUs and every attached device, laid out from {@code base}. */
    AcpiTables firmwareTables(long base) {
        List<Integer> apicIds = new ArrayList<>();
        for (int i = 0; i < vm.cpuCount(); i++) {
            apicIds.add(vm.apicId(i));
        }
        return AcpiTables.build(apicIds, acpi, base);
    }
}
