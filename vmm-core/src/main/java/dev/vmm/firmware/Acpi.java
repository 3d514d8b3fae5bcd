package dev.vmm.firmware;

import dev.vmm.platform.PlatformLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Byte-exact builders for the few ACPI tables a minimal x86 guest needs: RSDP (v2), XSDT,
 * FADT (revision 6, hardware-reduced so no PM I/O ports have to be emulated), MADT and a
 * small DSDT. Every table is returned with its checksum already filled in.
 *
 * <p>Field offsets follow the ACPI 6.x specification, chapter 5.2.
 */
public final class Acpi {
    public static final String OEM_ID = "VMMVMM";
    public static final String OEM_TABLE_ID = "VMMTABLE";
    public static final int OEM_REVISION = 1;
    public static final String CREATOR_ID = "VMM ";
    public static final int CREATOR_REVISION = 1;

    public static final int HEADER_SIZE = 36;
    public static final int RSDP_SIZE = 36;
    public static final int FADT_SIZE = 276;

    /** FADT flag: no fixed-hardware (PM1, GPE, PM timer) — the guest must not touch PM ports. */
    public static final int FADT_HW_REDUCED_ACPI = 1 << 20;
    /**
     * FADT IA-PC boot architecture flag (ACPI 5.0+): there is no CMOS RTC at ports 0x70/0x71.
     * The board has none, and those ports read 0xff: the update-in-progress bit then never clears,
     * so Linux's rtc_cmos probe spins in its UIP wait (over 60 s in the TCG lab) before giving up.
     */
    public static final int FADT_BOOT_NO_CMOS_RTC = 1 << 5;
    /** MADT flag: the board also has dual 8259 PICs (the OS masks them). */
    public static final int MADT_PCAT_COMPAT = 1;
    /** Largest APIC id a type-0 MADT entry can carry; 0xFF means broadcast, so 255+ need x2APIC entries. */
    public static final int MAX_XAPIC_ID = 254;

    private Acpi() {
    }

    /** RSDP revision 2 (36 bytes), pointing at the XSDT only (the RSDT address is left 0). */
    public static byte[] rsdp(long xsdtAddress) {
        ByteBuffer b = le(RSDP_SIZE);
        b.put(ascii("RSD PTR "));
        b.put(8, (byte) 0); // checksum, below
        b.position(9);
        b.put(ascii(OEM_ID));
        b.put(15, (byte) 2); // revision 2 = ACPI 2.0+
        b.putInt(16, 0); // RsdtAddress: none, XSDT only
        b.putInt(20, RSDP_SIZE);
        b.putLong(24, xsdtAddress);
        byte[] out = b.array();
        // The legacy checksum covers the ACPI 1.0 part (first 20 bytes), the extended one all 36.
        out[8] = checksumByte(out, 0, 20);
        out[32] = checksumByte(out, 0, RSDP_SIZE);
        return out;
    }

    /** XSDT listing the given tables by 64-bit physical address. */
    public static byte[] xsdt(long... tableAddresses) {
        ByteBuffer b = header("XSDT", HEADER_SIZE + 8 * tableAddresses.length, 1);
        b.position(HEADER_SIZE);
        for (long a : tableAddresses) {
            b.putLong(a);
        }
        return finish(b);
    }

    /**
     * FADT revision 6.0, hardware-reduced, referencing the DSDT through both pointer fields, with
     * the sleep control and status registers of {@code sleep} (null: none, the OS cannot power off
     * through ACPI).
     */
    public static byte[] fadt(long dsdtAddress, AcpiDevice.SleepRegisters sleep) {
        ByteBuffer b = header("FACP", FADT_SIZE, 6);
        // DSDT (32-bit) only when it fits; X_DSDT is authoritative for ACPI 2.0+ OSes.
        b.putInt(40, dsdtAddress < 0x1_0000_0000L ? (int) dsdtAddress : 0);
        b.put(45, (byte) 0); // Preferred_PM_Profile: unspecified
        b.putShort(109, (short) FADT_BOOT_NO_CMOS_RTC); // IAPC_BOOT_ARCH
        b.putInt(112, FADT_HW_REDUCED_ACPI);
        b.put(131, (byte) 0); // FADT minor version: 6.0
        b.putLong(140, dsdtAddress); // X_DSDT
        // HW-reduced ACPI has no PM1 block: the OS powers off by writing SLP_TYP|SLP_EN to the
        // sleep control register, here a byte-wide I/O port (the machine ends the VM on S5).
        if (sleep != null) {
            putGenericAddress(b, 244, sleep.controlPort());
            putGenericAddress(b, 256, sleep.statusPort());
        }
        return finish(b);
    }

    /** ACPI Generic Address Structure for one byte in system I/O space. */
    private static void putGenericAddress(ByteBuffer b, int offset, int port) {
        b.put(offset, (byte) 1);      // address space: system I/O
        b.put(offset + 1, (byte) 8);  // register bit width
        b.put(offset + 2, (byte) 0);  // bit offset
        b.put(offset + 3, (byte) 1);  // access size: byte
        b.putLong(offset + 4, port);
    }

    /** 0..count-1. */
    public static List<Integer> denseIds(int count) {
        Integer[] ids = new Integer[Math.max(count, 0)];
        for (int i = 0; i < ids.length; i++) ids[i] = i;
        return List.of(ids);
    }

    /**
     * MADT: one enabled entry per vCPU, in vCPU order, ACPI processor UID = vCPU index: a Processor
     * Local APIC entry (type 0) for APIC IDs up to {@link #MAX_XAPIC_ID}, a Processor Local x2APIC
     * entry (type 9) above; one entry per I/O APIC, and the ISA override IRQ0 -> GSI2 that every
     * PC has.
     */
    public static byte[] madt(List<Integer> apicIds, List<AcpiDevice.IoApic> ioapics) {
        if (apicIds.isEmpty()) {
            throw new IllegalArgumentException("need at least one vCPU, got 0");
        }
        int x2 = (int) apicIds.stream().filter(id -> id > MAX_XAPIC_ID).count();
        int xapic = apicIds.size() - x2;
        int length = HEADER_SIZE + 8 + xapic * 8 + x2 * 16 + 12 * ioapics.size() + 10;
        ByteBuffer b = header("APIC", length, 5);
        b.putInt(36, (int) PlatformLayout.LOCAL_APIC_ADDRESS);
        b.putInt(40, MADT_PCAT_COMPAT);
        b.position(44);
        for (int i = 0; i < apicIds.size(); i++) {
            int id = apicIds.get(i);
            if (id <= MAX_XAPIC_ID) {
                b.put((byte) 0).put((byte) 8); // Processor Local APIC
                b.put((byte) i).put((byte) id); // ACPI processor UID, APIC id
                b.putInt(1); // enabled
            } else {
                b.put((byte) 9).put((byte) 16); // Processor Local x2APIC
                b.putShort((short) 0);
                b.putInt(id); // x2APIC id
                b.putInt(1); // enabled
                b.putInt(i); // ACPI processor UID
            }
        }
        for (AcpiDevice.IoApic ioapic : ioapics) {
            b.put((byte) 1).put((byte) 12); // I/O APIC
            b.put((byte) ioapic.id()).put((byte) 0); // id, reserved
            b.putInt((int) ioapic.address());
            b.putInt(ioapic.gsiBase());
        }
        b.put((byte) 2).put((byte) 10); // Interrupt Source Override
        b.put((byte) 0).put((byte) PlatformLayout.PIT_ISA_IRQ); // bus ISA, source IRQ0
        b.putInt(PlatformLayout.PIT_GSI); // -> GSI 2 (the PIT is wired to IOAPIC pin 2)
        b.putShort((short) 0); // flags: conforms to bus polarity/trigger
        return finish(b);
    }

    /** EISA id of a 16550-compatible serial port. */
    static final String SERIAL_PORT_HID = "PNP0501";

    /**
     * AML body of the DSDT: {@code Name(_S5, Package(2){Zero, Zero})}, which lets OSes find a
     * soft-off sleep type, and a {@code \_SB} device per serial port (COM1, COM2, ...) with its
     * {@code _HID}, {@code _UID} and {@code _CRS}. Linux needs the latter to get the port's
     * interrupt: with HW-reduced ACPI it has no legacy PIC and so maps no ISA IRQ to an I/O APIC
     * pin on its own; the 8250 driver's built-in COM1 (IRQ 4) then cannot transmit from user space.
     */
    static byte[] dsdtBody(List<AcpiDevice.IsaSerialPort> serialPorts) {
        byte[] s5 = Aml.name("_S5_", Aml.pkg(Aml.integer(0), Aml.integer(0)));
        if (serialPorts.isEmpty()) {
            return s5;
        }
        byte[][] devices = new byte[serialPorts.size()][];
        for (int i = 0; i < devices.length; i++) {
            AcpiDevice.IsaSerialPort port = serialPorts.get(i);
            byte[] resources = new ResourceTemplate().io(port.ioBase(), port.ioLength()).irq(port.irq()).toBytes();
            devices[i] = Aml.device("COM" + (i + 1),
                    Aml.name("_HID", Aml.eisaId(SERIAL_PORT_HID)),
                    Aml.name("_UID", Aml.integer(i + 1)),
                    Aml.name("_CRS", Aml.buffer(resources)));
        }
        return Aml.concat(s5, Aml.rootScope("_SB_", devices));
    }

    /** DSDT: header plus {@link #dsdtBody}. */
    public static byte[] dsdt(List<AcpiDevice.IsaSerialPort> serialPorts) {
        byte[] body = dsdtBody(serialPorts);
        ByteBuffer b = header("DSDT", HEADER_SIZE + body.length, 2);
        b.position(HEADER_SIZE);
        b.put(body);
        return finish(b);
    }

    /** The byte that makes {@code data[from..to)} sum to zero modulo 256 when stored in it (slot counted as 0). */
    public static byte checksumByte(byte[] data, int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i++) {
            sum += data[i] & 0xFF;
        }
        return (byte) (-sum);
    }

    /** Sum of all bytes modulo 256; a valid table gives 0. */
    public static int sum(byte[] data, int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i++) {
            sum += data[i] & 0xFF;
        }
        return sum & 0xFF;
    }

    private static ByteBuffer header(String signature, int length, int revision) {
        ByteBuffer b = le(length);
        b.put(ascii(signature));
        b.putInt(length);
        b.put((byte) revision);
        b.put((byte) 0); // checksum, set by finish()
        b.put(ascii(OEM_ID));
        b.put(ascii(OEM_TABLE_ID));
        b.putInt(OEM_REVISION);
        b.put(ascii(CREATOR_ID));
        b.putInt(CREATOR_REVISION);
        return b;
    }

    private static byte[] finish(ByteBuffer b) {
        byte[] out = b.array();
        out[9] = 0;
        out[9] = checksumByte(out, 0, out.length);
        return out;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
