package dev.vmm.devices;

import dev.vmm.platform.PlatformLayout;
import dev.vmm.bus.IrqLine;
import dev.vmm.bus.MmioDevice;
import dev.vmm.bus.MsiSink;

/**
 * An 82093AA-style IOAPIC (version 0x20, 24 pins) in user space, for {@code kernel-irqchip=split}.
 * The guest programs redirection entries through the IOREGSEL/IOWIN window at 0xFEC00000; when a
 * pin's line rises and its entry is unmasked, the entry is turned into an MSI (as the IOAPIC does
 * on the system bus) and handed to KVM's in-kernel LAPICs.
 *
 * <p>Extended destination: bits 55:49 of an entry carry APIC ID bits 14:8 and go to MSI address
 * bits 11:5, the kvm-msi-ext-dest-id convention; the VM moves them where KVM wants them.
 *
 * <p>Limitation: delivery happens on a rising edge for both trigger modes. Remote IRR is not
 * modelled because KVM reports level-triggered EOIs only for GSI routes, and this VMM injects
 * with KVM_SIGNAL_MSI; a level-triggered source that stays asserted is not re-delivered.
 */
public final class IoApic implements MmioDevice {
    public static final long BASE = PlatformLayout.IOAPIC_ADDRESS;
    public static final long SIZE = PlatformLayout.IOAPIC_SIZE;
    public static final int PINS = PlatformLayout.IOAPIC_PINS;

    private static final int REG_ID = 0x00;
    private static final int REG_VERSION = 0x01;
    private static final int REG_ARBITRATION = 0x02;
    private static final int REG_REDIRECTION = 0x10;
    private static final int VERSION = 0x20;
    private static final long MASKED = 1L << 16;
    private static final long READ_ONLY_BITS = (1L << 12) | (1L << 14); // delivery status, remote IRR

    private final MsiSink msi;
    private final long[] redirection = new long[PINS];
    private final boolean[] level = new boolean[PINS];
    private int select;
    private int id;

    public IoApic(MsiSink msi) {
        this.msi = msi;
        for (int i = 0; i < PINS; i++) {
            redirection[i] = MASKED; // every pin masked at reset
        }
    }

    /** The interrupt line of one pin, for a device to drive. */
    public IrqLine pin(int pin) {
        if (pin < 0 || pin >= PINS) {
            throw new IllegalArgumentException("IOAPIC pin " + pin + " out of range 0.." + (PINS - 1));
        }
        return asserted -> setLevel(pin, asserted);
    }

    synchronized void setLevel(int pin, boolean asserted) {
        boolean rising = asserted && !level[pin];
        level[pin] = asserted;
        if (rising && (redirection[pin] & MASKED) == 0) {
            deliver(redirection[pin]);
        }
    }

    private void deliver(long entry) {
        msi.signal(msiAddress(entry), msiData(entry));
    }

    /** MSI address of a redirection entry: destination bits 7:0 (63:56) and 14:8 (55:49), destination mode. */
    static long msiAddress(long entry) {
        long dest = (entry >>> 56) & 0xff;
        long extended = (entry >>> 49) & 0x7f;
        long logical = (entry >>> 11) & 1;
        return 0xfee00000L | (dest << 12) | (extended << 5) | (logical << 2);
    }

    /** MSI data of a redirection entry: vector, delivery mode, trigger mode (level also asserts). */
    static int msiData(long entry) {
        int vector = (int) (entry & 0xff);
        int deliveryMode = (int) ((entry >>> 8) & 7);
        int levelTriggered = (int) ((entry >>> 15) & 1);
        return vector | (deliveryMode << 8) | (levelTriggered << 15) | (levelTriggered << 14);
    }

    @Override
    public synchronized long read(long offset, int size) {
        if (offset == 0x00) {
            return select;
        }
        if (offset == 0x10) {
            return readRegister(select) & 0xffffffffL;
        }
        return 0;
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        if (offset == 0x00) {
            select = (int) (value & 0xff);
        } else if (offset == 0x10) {
            writeRegister(select, (int) value);
        } else if (offset == 0x40) {
            eoi((int) (value & 0xff));
        }
    }

    private int readRegister(int reg) {
        if (reg == REG_ID) return id << 24;
        if (reg == REG_VERSION) return ((PINS - 1) << 16) | VERSION;
        if (reg == REG_ARBITRATION) return id << 24;
        int pin = (reg - REG_REDIRECTION) >> 1;
        if (reg >= REG_REDIRECTION && pin < PINS) {
            long e = redirection[pin];
            return (int) ((reg & 1) == 0 ? e : e >>> 32);
        }
        return 0;
    }

    private void writeRegister(int reg, int value) {
        if (reg == REG_ID) {
            id = (value >>> 24) & 0xf;
            return;
        }
        int pin = (reg - REG_REDIRECTION) >> 1;
        if (reg < REG_REDIRECTION || pin >= PINS) {
            return;
        }
        long old = redirection[pin];
        long updated;
        if ((reg & 1) == 0) {
            updated = (old & (0xffffffff00000000L | READ_ONLY_BITS)) | (value & 0xffffffffL & ~READ_ONLY_BITS);
        } else {
            updated = (old & 0xffffffffL) | ((long) value << 32);
        }
        redirection[pin] = updated;
        // Unmasking a pin whose line is high delivers it, as a level source would be seen at once.
        if ((old & MASKED) != 0 && (updated & MASKED) == 0 && level[pin]) {
            deliver(updated);
        }
    }

    private void eoi(int vector) {
        for (int pin = 0; pin < PINS; pin++) {
            long e = redirection[pin];
            if ((e & 0xff) == vector && (e & (1L << 15)) != 0 && (e & MASKED) == 0 && level[pin]) {
                deliver(e);
            }
        }
    }
}
