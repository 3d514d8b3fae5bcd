package dev.vmm.vm;

import dev.vmm.bus.BusRange;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.memory.MemoryRegion;
import dev.vmm.platform.PlatformLayout;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The guest's address spaces in the layout of QEMU's {@code info mtree}: "address-space: memory"
 * (RAM as aliases into one "pc.ram" region, as QEMU's PC splits it around the PCI hole, then the
 * MMIO devices), "address-space: I/O" (the port devices), then the aliased region itself. Each
 * line is {@code start-end (prio P, type): name}, indented two spaces per level, children sorted by
 * address. The interrupt controllers KVM emulates in the kernel are listed under QEMU's names for
 * them (kvm-pic, kvm-pit, kvm-elcr, kvm-ioapic, kvm-apic-msi), though no vmm code handles them.
 */
public final class MemoryTree {
    private static final String RAM = "pc.ram";

    /** One region line; {@code alias} non-null for an alias into {@link #RAM} at {@code aliasOffset}. */
    record Region(long start, long length, int priority, String type, String name, String alias, long aliasOffset) {
        static Region io(long start, long length, String name) {
            return new Region(start, length, 0, "i/o", name, null, 0);
        }
    }

    private MemoryTree() {
    }

    /** The text for these RAM regions (lowest address first), MMIO and port ranges, and irqchip mode. */
    public static String render(List<MemoryRegion> ram, List<BusRange> mmio, List<BusRange> ports, IrqchipMode irqchip) {
        List<Region> memory = new ArrayList<>();
        long offset = 0;
        for (MemoryRegion r : ram) {
            String name = r.gpa() < PlatformLayout.HIGH_RAM_START ? "ram-below-4g" : "ram-above-4g";
            memory.add(new Region(r.gpa(), r.size(), 0, "ram", name, RAM, offset));
            offset += r.size();
        }
        for (BusRange b : mmio) {
            memory.add(Region.io(b.first(), b.length(), b.name()));
        }
        List<Region> io = new ArrayList<>();
        for (BusRange b : ports) {
            io.add(Region.io(b.first(), b.length(), b.name()));
        }
        if (irqchip != IrqchipMode.SPLIT) {
            memory.add(Region.io(PlatformLayout.IOAPIC_ADDRESS, PlatformLayout.IOAPIC_SIZE, "kvm-ioapic"));
            io.add(Region.io(0x20, 2, "kvm-pic"));
            io.add(Region.io(0xa0, 2, "kvm-pic"));
            io.add(Region.io(0x40, 4, "kvm-pit"));
            io.add(Region.io(0x4d0, 1, "kvm-elcr"));
            io.add(Region.io(0x4d1, 1, "kvm-elcr"));
        }
        // QEMU's MSI window, at a priority above everything else under it.
        memory.add(new Region(PlatformLayout.LOCAL_APIC_ADDRESS, 0x100000, 4096, "i/o", "kvm-apic-msi", null, 0));
        StringBuilder sb = new StringBuilder();
        sb.append("address-space: memory\n");
        line(sb, 1, new Region(0, -1L, 0, "i/o", "system", null, 0));
        children(sb, 2, memory);
        sb.append('\n');
        sb.append("address-space: I/O\n");
        line(sb, 1, Region.io(0, 0x10000, "io"));
        children(sb, 2, io);
        sb.append('\n');
        if (!ram.isEmpty()) {
            sb.append("memory-region: ").append(RAM).append('\n');
            line(sb, 1, new Region(0, offset, 0, "ram", RAM, null, 0));
            sb.append('\n');
        }
        return sb.toString();
    }

    /** QEMU's order: by address, then the higher priority first. */
    private static void children(StringBuilder sb, int level, List<Region> regions) {
        List<Region> sorted = new ArrayList<>(regions);
        sorted.sort(Comparator.comparingLong(Region::start).thenComparing(Comparator.comparingInt(Region::priority).reversed()));
        for (Region r : sorted) {
            line(sb, level, r);
        }
    }

    /** A length of -1 stands for the whole 64-bit space (QEMU's 2^64 region). */
    private static void line(StringBuilder sb, int level, Region r) {
        sb.append("  ".repeat(level));
        long end = r.length() == -1L ? -1L : r.start() + r.length() - 1;
        sb.append(String.format("%016x-%016x (prio %d, %s): ", r.start(), end, r.priority(), r.type()));
        if (r.alias() != null) {
            sb.append(String.format("alias %s @%s %016x-%016x", r.name(), r.alias(), r.aliasOffset(),
                    r.aliasOffset() + r.length() - 1));
        } else {
            sb.append(r.name());
        }
        sb.append('\n');
    }
}
