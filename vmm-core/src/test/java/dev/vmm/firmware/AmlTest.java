package dev.vmm.firmware;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The AML encodings, checked against the ACPI specification's rules and known values. */
class AmlTest {
    @Test
    void pkgLengthCountsItselfAndGrowsPastSixtyThree() {
        assertArrayEquals(new byte[] {0x04}, Aml.pkgLength(3));
        assertArrayEquals(new byte[] {0x3f}, Aml.pkgLength(62));
        // 63 bytes of content need two length bytes: total 65 = 0x41, low nibble 1 in the lead byte
        // (with 01 in bits 7-6: one more byte), 0x4 in the next.
        assertArrayEquals(new byte[] {0x41, 0x04}, Aml.pkgLength(63));
        assertArrayEquals(new byte[] {0x4f, (byte) 0xff}, Aml.pkgLength(0xfff - 2));
        // 4094 bytes: two bytes would make 4096, past 12 bits, so three: total 4097 = 0x1001.
        assertArrayEquals(new byte[] {(byte) 0x81, 0x00, 0x01}, Aml.pkgLength(0xfff - 1));
    }

    @Test
    void eisaIdCompressesLettersAndDigits() {
        // EisaId("PNP0A03") is 0x030AD041, as every PC's PCI root bridge has it.
        assertArrayEquals(new byte[] {0x0c, 0x41, (byte) 0xd0, 0x0a, 0x03}, Aml.eisaId("PNP0A03"));
        assertThrows(IllegalArgumentException.class, () -> Aml.eisaId("pnp0501"));
    }

    @Test
    void integersUseTheShortestConstant() {
        assertArrayEquals(new byte[] {0x00}, Aml.integer(0));
        assertArrayEquals(new byte[] {0x01}, Aml.integer(1));
        assertArrayEquals(new byte[] {0x0a, 0x02}, Aml.integer(2));
        assertArrayEquals(new byte[] {0x0b, (byte) 0xf8, 0x03}, Aml.integer(0x3f8));
        assertArrayEquals(new byte[] {0x0c, 0x00, 0x00, (byte) 0xc0, (byte) 0xfe}, Aml.integer(0xfec00000L));
        assertArrayEquals(new byte[] {0x0e, 0, 0, 0, 0, 1, 0, 0, 0}, Aml.integer(1L << 32));
    }

    @Test
    void nameSegmentsArePaddedToFourCharacters() {
        assertArrayEquals(new byte[] {'_', 'S', 'B', '_'}, Aml.nameSeg("_SB"));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameSeg("COM10"));
    }
}
