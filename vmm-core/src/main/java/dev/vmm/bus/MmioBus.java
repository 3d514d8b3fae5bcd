package dev.vmm.bus;

import java.util.Map;
import java.util.TreeMap;

/**
 * Guest-physical MMIO space outside RAM: maps address ranges to devices. Unclaimed addresses
 * behave as on a PC with nothing there: reads return all ones, writes are dropped (debug-logged).
 */
public final class MmioBus {
    private static final System.Logger LOG = System.getLogger(MmioBus.class.getName());

    private record Range(long base, long length, MmioDevice device) {
    }

    private final TreeMap<Long, Range> ranges = new TreeMap<>();

    /** Every claimed range, lowest address first, named by the device's class. */
    public synchronized java.util.List<BusRange> ranges() {
        return ranges.values().stream()
                .map(r -> new BusRange(r.base, r.length, r.device.getClass().getSimpleName())).toList();
    }

    public synchronized void register(long base, long length, MmioDevice device) {
        Map.Entry<Long, Range> below = ranges.floorEntry(base + length - 1);
        if (length <= 0 || (below != null && below.getValue().base + below.getValue().length > base)) {
            throw new IllegalArgumentException(String.format("MMIO range 0x%x+0x%x overlaps or is empty", base, length));
        }
        ranges.put(base, new Range(base, length, device));
    }

    private Range find(long address) {
        Map.Entry<Long, Range> e = ranges.floorEntry(address);
        return e != null && address < e.getValue().base + e.getValue().length ? e.getValue() : null;
    }

    /** Class name of the device claiming {@code address}, or null when nobody does (for exit traces). */
    public synchronized String deviceName(long address) {
        var r = find(address);
        return r == null ? null : r.device.getClass().getSimpleName();
    }

    public long read(long address, int size) {
        Range r = find(address);
        if (r == null) {
            LOG.log(System.Logger.Level.DEBUG, () -> String.format("unassigned MMIO read 0x%x size %d", address, size));
            return size == 8 ? -1L : (1L << (8 * size)) - 1;
        }
        return r.device.read(address - r.base, size);
    }

    public void write(long address, int size, long value) {
        Range r = find(address);
        if (r == null) {
            LOG.log(System.Logger.Level.DEBUG, () -> String.format("unassigned MMIO write 0x%x size %d", address, size));
            return;
        }
        r.device.write(address - r.base, size, value);
    }
}
