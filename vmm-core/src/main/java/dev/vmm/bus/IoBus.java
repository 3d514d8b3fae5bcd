package dev.vmm.bus;

import java.util.Map;
import java.util.TreeMap;

/**
 * Port-I/O address space: maps port ranges to devices. Ports nobody claims behave as on a PC
 * without the device (and as QEMU does): reads return all ones, writes are dropped; both are
 * logged at debug level so a user can see what a guest probes.
 */
public final class IoBus {
    private static final System.Logger LOG = System.getLogger(IoBus.class.getName());

    private record Range(int first, int count, PioDevice device, String name) {
        boolean contains(int port) {
            return port >= first && port < first + count;
        }
    }

    private final TreeMap<Integer, Range> ranges = new TreeMap<>();

    /** Claims ports {@code [first, first + count)}; overlapping claims are a programming error. */
    public void register(int first, int count, PioDevice device) {
        register(first, count, device.getClass().getSimpleName(), device);
    }

    /** {@link #register(int, int, PioDevice)} with the name listings show for the range. */
    public synchronized void register(int first, int count, String name, PioDevice device) {
        if (count <= 0 || first < 0 || first + count > 0x10000) {
            throw new IllegalArgumentException("bad port range 0x" + Integer.toHexString(first) + "+" + count);
        }
        Map.Entry<Integer, Range> below = ranges.floorEntry(first + count - 1);
        if (below != null && below.getValue().first + below.getValue().count > first) {
            throw new IllegalArgumentException("port range 0x" + Integer.toHexString(first) + "+" + count
                    + " overlaps 0x" + Integer.toHexString(below.getKey()));
        }
        ranges.put(first, new Range(first, count, device, name));
    }

    /** Every claimed range, lowest port first. */
    public synchronized java.util.List<BusRange> ranges() {
        return ranges.values().stream().map(r -> new BusRange(r.first, r.count, r.name)).toList();
    }

    /** Whether a device answers on {@code port}. */
    public synchronized boolean isRegistered(int port) {
        return find(port) != null;
    }

    private Range find(int port) {
        Map.Entry<Integer, Range> e = ranges.floorEntry(port);
        return e != null && e.getValue().contains(port) ? e.getValue() : null;
    }

    /** Class name of the device claiming {@code port}, or null when nobody does (for exit traces). */
    public synchronized String deviceName(int port) {
        var r = find(port);
        return r == null ? null : r.device.getClass().getSimpleName();
    }

    public int read(int port, int size) {
        Range r = find(port);
        if (r == null) {
            LOG.log(System.Logger.Level.DEBUG, () -> String.format("unassigned port read 0x%04x size %d", port, size));
            return size == 4 ? 0xffffffff : (1 << (8 * size)) - 1;
        }
        return r.device.read(port, size);
    }

    public void write(int port, int size, int value) {
        Range r = find(port);
        if (r == null) {
            LOG.log(System.Logger.Level.DEBUG, () -> String.format("unassigned port write 0x%04x size %d value 0x%x", port, size, value));
            return;
        }
        r.device.write(port, size, value);
    }
}
