package dev.vmm.firmware;

import dev.vmm.platform.PlatformLayout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AcpiTest {
    private static ByteBuffer le(byte[] d) {
        return ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String str(byte[] d, int at, int len) {
        return new String(d, at, len, StandardCharsets.US_ASCII);
    }

    private static void assertHeader(byte[] t, String sig, int revision) {
        assertEquals(sig, str(t, 0, 4));
        assertEquals(t.length, le(t).getInt(4));
        assertEquals(revision, t[8]);
        assertEquals("VMMVMM", str(t, 10, 6));
        assertEquals("VMMTABLE", str(t, 16, 8));
        assertEquals(0, Acpi.sum(t, 0, t.length), sig + " checksum");
    }

    @Test
    void rsdp() {
        byte[] r = Acpi.rsdp(0xF0030L);
        assertEquals(36, r.length);
        assertEquals("RSD PTR ", str(r, 0, 8));
        assertEquals("VMMVMM", str(r, 9, 6));
        assertEquals(2, r[15]);
        assertEquals(0, le(r).getInt(16));
        assertEquals(36, le(r).getInt(20));
        assertEquals(0xF0030L, le(r).getLong(24));
        assertEquals(0, Acpi.sum(r, 0, 20));
        assertEquals(0, Acpi.sum(r, 0, 36));
    }

    @Test
    void xsdt() {
        byte[] x = Acpi.xsdt(0x1000, 0x2000);
        assertHeader(x, "XSDT", 1);
        assertEquals(52, x.length);
        assertEquals(0x1000, le(x).getLong(36));
        assertEquals(0x2000, le(x).getLong(44));
    }

    private static final AcpiDevice.IoApic IOAPIC = new AcpiDevice.IoApic(0, 0xFEC00000L, 0);
    private static final AcpiDevice.SleepRegisters SLEEP = new AcpiDevice.SleepRegisters(0x600, 0x601);

    @Test
    void fadtWithoutSleepRegistersLeavesThemZero() {
        byte[] f = Acpi.fadt(0xF0200L, null);
        assertArrayEquals(new byte[24], Arrays.copyOfRange(f, 244, 268));
    }

    @Test
    void fadt() {
        byte[] f = Acpi.fadt(0xF0200L, SLEEP);
        assertHeader(f, "FACP", 6);
        assertEquals(276, f.length);
        assertEquals(0xF0200, le(f).getInt(40));
        assertEquals(1 << 20, le(f).getInt(112));
        assertEquals(1 << 5, le(f).getShort(109), "IAPC_BOOT_ARCH: CMOS RTC not present");
        assertEquals(0xF0200L, le(f).getLong(140));
        // SLEEP_CONTROL_REG and SLEEP_STATUS_REG: system I/O, 8 bits, byte access, at the two ports.
        assertArrayEquals(new byte[] {1, 8, 0, 1}, Arrays.copyOfRange(f, 244, 248));
        assertEquals(0x600, le(f).getLong(248));
        assertArrayEquals(new byte[] {1, 8, 0, 1}, Arrays.copyOfRange(f, 256, 260));
        assertEquals(0x601, le(f).getLong(260));
    }

    @Test
    void dsdtWithoutDevicesHoldsOnlyTheSoftOffSleepType() {
        byte[] d = Acpi.dsdt(java.util.List.of());
        assertHeader(d, "DSDT", 2);
        // Name(_S5_, Package() {Zero, Zero})
        assertArrayEquals(new byte[] {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00},
                Arrays.copyOfRange(d, 36, d.length));
    }

    @Test
    void dsdtDescribesCom1AsAPnp0501DeviceWithItsPortsAndIsaIrq() {
        byte[] d = Acpi.dsdt(java.util.List.of(new AcpiDevice.IsaSerialPort(0x3f8, 8, 4)));
        assertHeader(d, "DSDT", 2);
        // Assembled by hand from the ASL below (ACPI 6.4, sections 19.6 and 20.2, 6.4.2):
        byte[] expected = {
            0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00,
            // Scope(\_SB_) {                       PkgLength 51 = 1 + 5 + 45
            0x10, 0x33, '\\', '_', 'S', 'B', '_',
            //   Device(COM1) {                     PkgLength 43 = 1 + 4 + 10 + 6 + 22
            0x5b, (byte) 0x82, 0x2b, 'C', 'O', 'M', '1',
            //     Name(_HID, EisaId("PNP0501"))    DWord 0x0105D041
            0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, (byte) 0xd0, 0x05, 0x01,
            //     Name(_UID, One)
            0x08, '_', 'U', 'I', 'D', 0x01,
            //     Name(_CRS, Buffer(13) {          PkgLength 16 = 1 + 2 + 13
            0x08, '_', 'C', 'R', 'S', 0x11, 0x10, 0x0a, 0x0d,
            //       IO(Decode16, 0x3F8, 0x3F8, 1, 8)
            0x47, 0x01, (byte) 0xf8, 0x03, (byte) 0xf8, 0x03, 0x01, 0x08,
            //       IRQNoFlags() {4}
            0x22, 0x10, 0x00,
            //       EndTag
            0x79, 0x00,
        };
        assertArrayEquals(expected, Arrays.copyOfRange(d, 36, d.length));
    }

    @Test
    void theAttachedSerialPortReachesTheDsdt() {
        AcpiTables t = AcpiTables.build(Acpi.denseIds(1),
                java.util.List.of(IOAPIC, new AcpiDevice.IsaSerialPort(0x3f8, 8, 4)), 0xF0000);
        int dsdt = (int) (t.tableAddresses().get("DSDT") - 0xF0000);
        int length = le(t.blob()).getInt(dsdt + 4);
        assertArrayEquals(Acpi.dsdt(java.util.List.of(new AcpiDevice.IsaSerialPort(0x3f8, 8, 4))),
                Arrays.copyOfRange(t.blob(), dsdt, dsdt + length));
    }

    @Test
    void madtWithSparseApicIdsUsesAnX2apicEntryAbove254() {
        byte[] m = Acpi.madt(java.util.List.of(0, 256), java.util.List.of(IOAPIC));
        assertHeader(m, "APIC", 5);
        ByteBuffer b = le(m);
        assertEquals(44 + 8 + 16 + 12 + 10, m.length);
        // vCPU 0: Processor Local APIC, UID 0, APIC ID 0, enabled
        assertArrayEquals(new byte[] {0, 8, 0, 0}, Arrays.copyOfRange(m, 44, 48));
        assertEquals(1, b.getInt(48));
        // vCPU 1: Processor Local x2APIC, x2APIC ID 256, enabled, UID 1 (the vCPU index)
        assertEquals(9, m[52]);
        assertEquals(16, m[53]);
        assertEquals(256, b.getInt(56));
        assertEquals(1, b.getInt(60));
        assertEquals(1, b.getInt(64));
        assertEquals(1, m[68]); // then the IOAPIC
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 64, 255, 256, 300})
    void madt(int cpus) {
        byte[] m = Acpi.madt(Acpi.denseIds(cpus), java.util.List.of(IOAPIC));
        assertHeader(m, "APIC", 5);
        ByteBuffer b = le(m);
        assertEquals(0xFEE00000, b.getInt(36));
        assertEquals(1, b.getInt(40));
        int pos = 44;
        int lapics = 0;
        int x2apics = 0;
        int ioapics = 0;
        int overrides = 0;
        while (pos < m.length) {
            int type = m[pos];
            int len = m[pos + 1] & 0xFF;
            switch (type) {
                case 0 -> {
                    assertEquals(8, len);
                    assertEquals(lapics, m[pos + 2] & 0xFF);
                    assertEquals(lapics, m[pos + 3] & 0xFF);
                    assertEquals(1, b.getInt(pos + 4));
                    lapics++;
                }
                case 9 -> {
                    assertEquals(16, len);
                    int id = 255 + x2apics;
                    assertEquals(id, b.getInt(pos + 4));
                    assertEquals(1, b.getInt(pos + 8));
                    assertEquals(id, b.getInt(pos + 12));
                    x2apics++;
                }
                case 1 -> {
                    assertEquals(12, len);
                    assertEquals(0, m[pos + 2]);
                    assertEquals(0xFEC00000, b.getInt(pos + 4));
                    assertEquals(0, b.getInt(pos + 8));
                    ioapics++;
                }
                case 2 -> {
                    assertEquals(10, len);
                    assertEquals(0, m[pos + 2]);
                    assertEquals(0, m[pos + 3]);
                    assertEquals(2, b.getInt(pos + 4));
                    overrides++;
                }
                default -> throw new AssertionError("unexpected MADT entry type " + type);
            }
            pos += len;
        }
        assertEquals(m.length, pos);
        assertEquals(Math.min(cpus, 255), lapics);
        assertEquals(Math.max(0, cpus - 255), x2apics);
        assertEquals(1, ioapics);
        assertEquals(1, overrides);
    }

    @Test
    void tableSetIsLinked() {
        long base = 0xF0000;
        AcpiTables t = AcpiTables.build(Acpi.denseIds(4), java.util.List.of(IOAPIC, SLEEP), base);
        assertEquals(base, t.rsdpAddress());
        byte[] blob = t.blob();
        ByteBuffer b = le(blob);
        long xsdt = b.getLong(24);
        assertEquals(t.tableAddresses().get("XSDT"), xsdt);
        int xo = (int) (xsdt - base);
        assertEquals("XSDT", str(blob, xo, 4));
        long fadt = b.getLong(xo + 36);
        long madt = b.getLong(xo + 44);
        assertEquals("FACP", str(blob, (int) (fadt - base), 4));
        assertEquals("APIC", str(blob, (int) (madt - base), 4));
        long dsdt = b.getLong((int) (fadt - base) + 140);
        assertEquals("DSDT", str(blob, (int) (dsdt - base), 4));
        for (long a : t.tableAddresses().values()) {
            assertEquals(0, a % 16);
            int o = (int) (a - base);
            int len = str(blob, o, 4).equals("RSD ") ? 36 : b.getInt(o + 4);
            assertEquals(0, Acpi.sum(blob, o, o + len));
        }
        assertEquals(true, base + blob.length <= 0x100000);
        assertThrows(IllegalArgumentException.class, () -> AcpiTables.build(Acpi.denseIds(1), java.util.List.of(), 0xF0008));
    }

    @Test
    void tablesDescribeTheAttachedDevices() {
        AcpiTables t = AcpiTables.build(Acpi.denseIds(1),
                java.util.List.of(new AcpiDevice.IoApic(0, 0xFEC00000L, 0), new AcpiDevice.IoApic(1, 0xFEC01000L, 24)),
                0xF0000);
        int madt = (int) (t.tableAddresses().get("APIC") - 0xF0000);
        ByteBuffer b = le(t.blob());
        // header 44, one local APIC entry (8), then the two I/O APICs in attach order
        assertEquals(1, t.blob()[madt + 52]);
        assertEquals(0xFEC00000, b.getInt(madt + 56));
        assertEquals(1, t.blob()[madt + 64]);
        assertEquals(1, t.blob()[madt + 66]);
        assertEquals(0xFEC01000, b.getInt(madt + 68));
        assertEquals(24, b.getInt(madt + 72));
        int fadt = (int) (t.tableAddresses().get("FACP") - 0xF0000);
        assertEquals(0, b.getLong(fadt + 248), "no sleep control device attached: no sleep register");
        assertThrows(IllegalArgumentException.class, () -> AcpiTables.build(Acpi.denseIds(1),
                java.util.List.of(SLEEP, SLEEP), 0xF0000));
    }
}
