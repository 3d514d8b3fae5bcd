package dev.vmm.firmware;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The complete ACPI table set as one contiguous blob to copy to {@code baseAddress}.
 * The RSDP comes first so that, with a 16-byte aligned base in 0xE0000-0xFFFFF, legacy
 * OSes find it by scanning the BIOS area; the other tables follow at 16-byte boundaries.
 *
 * @param baseAddress  guest-physical address the blob is built for
 * @param blob         bytes to write at {@code baseAddress}
 * @param rsdpAddress  where the RSDP ends up (equals {@code baseAddress})
 * @param tableAddresses signature -> guest-physical address of each table, for diagnostics and tests
 */
public record AcpiTables(long baseAddress, byte[] blob, long rsdpAddress, Map<String, Long> tableAddresses) {

    /**
     * The tables for vCPUs with these APIC IDs (one MADT entry each, in order) and the attached
     * devices' ACPI parts ({@link AcpiDevice}), laid out from {@code baseAddress}.
     */
    public static AcpiTables build(List<Integer> apicIds, List<AcpiDevice> devices, long baseAddress) {
        if ((baseAddress & 15) != 0) {
            throw new IllegalArgumentException("ACPI base must be 16-byte aligned: 0x" + Long.toHexString(baseAddress));
        }
        List<AcpiDevice.IoApic> ioapics = new ArrayList<>();
        List<AcpiDevice.IsaSerialPort> serialPorts = new ArrayList<>();
        AcpiDevice.SleepRegisters sleep = null;
        for (AcpiDevice d : devices) {
            if (d instanceof AcpiDevice.IoApic ioapic) {
                ioapics.add(ioapic);
            } else if (d instanceof AcpiDevice.SleepRegisters registers) {
                if (sleep != null) {
                    throw new IllegalArgumentException("two ACPI sleep control devices: " + sleep + ", " + registers);
                }
                sleep = registers;
            } else if (d instanceof AcpiDevice.IsaSerialPort port) {
                serialPorts.add(port);
            }
        }
        byte[] dsdt = Acpi.dsdt(serialPorts);
        byte[] madt = Acpi.madt(apicIds, ioapics);
        long rsdpAt = baseAddress;
        long xsdtAt = align16(rsdpAt + Acpi.RSDP_SIZE);
        long xsdtLen = Acpi.HEADER_SIZE + 2 * 8;
        long fadtAt = align16(xsdtAt + xsdtLen);
        long madtAt = align16(fadtAt + Acpi.FADT_SIZE);
        long dsdtAt = align16(madtAt + madt.length);
        long end = dsdtAt + dsdt.length;

        byte[] blob = new byte[(int) (end - baseAddress)];
        place(blob, baseAddress, rsdpAt, Acpi.rsdp(xsdtAt));
        place(blob, baseAddress, xsdtAt, Acpi.xsdt(fadtAt, madtAt));
        place(blob, baseAddress, fadtAt, Acpi.fadt(dsdtAt, sleep));
        place(blob, baseAddress, madtAt, madt);
        place(blob, baseAddress, dsdtAt, dsdt);

        Map<String, Long> addrs = new LinkedHashMap<>();
        addrs.put("RSDP", rsdpAt);
        addrs.put("XSDT", xsdtAt);
        addrs.put("FACP", fadtAt);
        addrs.put("APIC", madtAt);
        addrs.put("DSDT", dsdtAt);
        return new AcpiTables(baseAddress, blob, rsdpAt, Map.copyOf(addrs));
    }

    private static long align16(long a) {
        return (a + 15) & ~15L;
    }

    private static void place(byte[] blob, long base, long at, byte[] table) {
        System.arraycopy(table, 0, blob, (int) (at - base), table.length);
    }
}
