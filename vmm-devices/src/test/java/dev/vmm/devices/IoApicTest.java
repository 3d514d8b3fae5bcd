package dev.vmm.devices;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class IoApicTest {
    private final List<long[]> sent = new ArrayList<>();
    private final IoApic ioapic = new IoApic((address, data) -> sent.add(new long[] {address, data}));

    private void writeReg(int reg, int value) {
        ioapic.write(0x00, 4, reg);
        ioapic.write(0x10, 4, value & 0xffffffffL);
    }

    private int readReg(int reg) {
        ioapic.write(0x00, 4, reg);
        return (int) ioapic.read(0x10, 4);
    }

    @Test
    void versionRegisterReports24PinsAndVersion0x20() {
        assertEquals(0x00170020, readReg(0x01));
    }

    @Test
    void pinsStartMaskedAndDeliverNothing() {
        assertEquals(1 << 16, readReg(0x10 + 2 * 4) & (1 << 16));
        ioapic.pin(4).setLevel(true);
        assertTrue(sent.isEmpty());
    }

    @Test
    void unmaskedEdgeBecomesAnMsiToTheProgrammedApic() {
        writeReg(0x11 + 2 * 4, 3 << 24);       // destination APIC ID 3
        writeReg(0x10 + 2 * 4, 0x24);          // vector 0x24, fixed, physical, edge, unmasked
        ioapic.pin(4).setLevel(true);
        ioapic.pin(4).setLevel(true);          // no new edge: nothing more
        assertEquals(1, sent.size());
        assertEquals(0xfee03000L, sent.get(0)[0]);
        assertEquals(0x24, sent.get(0)[1]);
    }

    @Test
    void extendedDestinationBitsGoToMsiAddressBits11To5() {
        // APIC ID 0x1ab: bits 7:0 = 0xab in entry bits 63:56, bits 14:8 = 0x1 in entry bits 55:49.
        writeReg(0x11 + 2 * 9, (0xab << 24) | (0x1 << 17));
        writeReg(0x10 + 2 * 9, 0x30 | (1 << 15)); // level triggered
        ioapic.pin(9).setLevel(true);
        assertEquals(0xfeeab000L | (0x1 << 5), sent.get(0)[0]);
        assertEquals(0x30 | (1 << 15) | (1 << 14), sent.get(0)[1]);
    }

    @Test
    void unmaskingARaisedLineDeliversAndReadOnlyBitsStayClear() {
        ioapic.pin(1).setLevel(true);
        writeReg(0x10 + 2, 0x41 | (1 << 14) | (1 << 12));
        assertEquals(1, sent.size());
        assertEquals(0x41, readReg(0x10 + 2));
    }

    @Test
    void pinOutOfRangeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> ioapic.pin(24));
    }
}
