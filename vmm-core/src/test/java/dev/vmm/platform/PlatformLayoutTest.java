package dev.vmm.platform;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The board's fixed numbers are consistent with each other. */
class PlatformLayoutTest {
    @Test
    void portRangesDoNotOverlap() {
        List<PlatformLayout.PortRange> ports = PlatformLayout.PORT_RANGES;
        for (int i = 0; i < ports.size(); i++) {
            for (int j = i + 1; j < ports.size(); j++) {
                assertFalse(ports.get(i).overlaps(ports.get(j)), ports.get(i) + " overlaps " + ports.get(j));
            }
        }
    }

    @Test
    void portRangeOverlapIsDetected() {
        assertTrue(new PlatformLayout.PortRange("a", 0x3f8, 8).overlaps(new PlatformLayout.PortRange("b", 0x3ff, 1)));
        assertFalse(new PlatformLayout.PortRange("a", 0x3f8, 8).overlaps(new PlatformLayout.PortRange("b", 0x400, 1)));
    }

    @Test
    void fixedMmioAndKvmPagesLieInThePciHoleAndApart() {
        long[][] ranges = {
                {PlatformLayout.IOAPIC_ADDRESS, PlatformLayout.IOAPIC_SIZE},
                {PlatformLayout.LOCAL_APIC_ADDRESS, 0x1000},
                {PlatformLayout.KVM_IDENTITY_MAP_ADDRESS, 0x1000},
                {PlatformLayout.KVM_TSS_ADDRESS, 3 * 0x1000}};
        for (int i = 0; i < ranges.length; i++) {
            assertTrue(ranges[i][0] >= PlatformLayout.PCI_HOLE_START
                    && ranges[i][0] + ranges[i][1] <= PlatformLayout.HIGH_RAM_START, "range " + i + " not in the hole");
            for (int j = i + 1; j < ranges.length; j++) {
                boolean overlap = ranges[i][0] < ranges[j][0] + ranges[j][1] && ranges[j][0] < ranges[i][0] + ranges[i][1];
                assertFalse(overlap, "ranges " + i + " and " + j + " overlap");
            }
        }
    }

    @Test
    void bootDataLiesInLowRamOrTheBiosArea() {
        for (PlatformLayout.Reserved r : PlatformLayout.RESERVED) {
            boolean lowRam = r.end() <= PlatformLayout.LOW_RAM_END;
            boolean biosArea = r.start() >= PlatformLayout.BIOS_AREA_START && r.end() <= PlatformLayout.HIGH_MEMORY_START;
            assertTrue(lowRam || biosArea, r.toString());
        }
        assertTrue(PlatformLayout.COM1_IRQ < PlatformLayout.IOAPIC_PINS);
        assertTrue(PlatformLayout.PIT_GSI < PlatformLayout.IOAPIC_PINS);
    }
}
