package dev.vmm.vm;

import dev.vmm.bus.BusRange;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.memory.MemoryRegion;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** info mtree's text: QEMU's line format, indentation, order by address, RAM as aliases into pc.ram. */
class MemoryTreeTest {
    @Test
    void ramSplitAroundThePciHoleAndDevicesInAddressOrder() {
        List<MemoryRegion> ram = List.of(new MemoryRegion(0, 0xc000_0000L, 0), new MemoryRegion(0x1_0000_0000L, 0x4000_0000L, 0));
        String text = MemoryTree.render(ram, List.of(),
                List.of(new BusRange(0x3f8, 8, "COM1"), new BusRange(0xf4, 4, "isa-debug-exit")), IrqchipMode.ON);
        String expected = """
                address-space: memory
                  0000000000000000-ffffffffffffffff (prio 0, i/o): system
                    0000000000000000-00000000bfffffff (prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-00000000bfffffff
                    00000000fec00000-00000000fec00fff (prio 0, i/o): kvm-ioapic
                    00000000fee00000-00000000feefffff (prio 4096, i/o): kvm-apic-msi
                    0000000100000000-000000013fffffff (prio 0, ram): alias ram-above-4g @pc.ram 00000000c0000000-00000000ffffffff

                address-space: I/O
                  0000000000000000-000000000000ffff (prio 0, i/o): io
                    0000000000000020-0000000000000021 (prio 0, i/o): kvm-pic
                    0000000000000040-0000000000000043 (prio 0, i/o): kvm-pit
                    00000000000000a0-00000000000000a1 (prio 0, i/o): kvm-pic
                    00000000000000f4-00000000000000f7 (prio 0, i/o): isa-debug-exit
                    00000000000003f8-00000000000003ff (prio 0, i/o): COM1
                    00000000000004d0-00000000000004d0 (prio 0, i/o): kvm-elcr
                    00000000000004d1-00000000000004d1 (prio 0, i/o): kvm-elcr

                memory-region: pc.ram
                  0000000000000000-00000000ffffffff (prio 0, ram): pc.ram

                """;
        assertEquals(expected, text);
    }

    @Test
    void splitIrqchipListsTheUserSpaceIoapicAndNoKernelPic() {
        String text = MemoryTree.render(List.of(new MemoryRegion(0, 0x800_0000L, 0)),
                List.of(new BusRange(0xfec00000L, 0x1000, "IoApic")), List.of(), IrqchipMode.SPLIT);
        assertTrue(text.contains("    00000000fec00000-00000000fec00fff (prio 0, i/o): IoApic\n"), text);
        assertFalse(text.contains("kvm-pic"), text);
        assertFalse(text.contains("kvm-ioapic"), text);
        assertTrue(text.contains("(prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-0000000007ffffff\n"), text);
    }
}
