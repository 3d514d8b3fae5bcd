package dev.vmm.devices;

import dev.vmm.platform.PlatformLayout;
import dev.vmm.bus.PioDevice;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * QEMU's fw_cfg in its legacy port-I/O form: a 16-bit selector at 0x510 and a byte-wide data
 * port at 0x511 that reads the selected item sequentially. Test kernels written for QEMU read the
 * CPU count and RAM size from here, so the keys and encodings follow QEMU (little-endian).
 */
public final class FwCfg implements PioDevice {
    public static final int SELECTOR_PORT = PlatformLayout.FW_CFG_SELECTOR_PORT;
    public static final int DATA_PORT = PlatformLayout.FW_CFG_DATA_PORT;

    public static final int KEY_SIGNATURE = 0x00;
    public static final int KEY_ID = 0x01;
    public static final int KEY_RAM_SIZE = 0x03;
    public static final int KEY_NB_CPUS = 0x05;
    public static final int KEY_MAX_CPUS = 0x0f;
    public static final int KEY_MAX_RAM = 0x11;

    private final Map<Integer, byte[]> items = new HashMap<>();
    private byte[] selected = new byte[0];
    private int offset;

    public FwCfg(int cpuCount, long ramSize) {
        items.put(KEY_SIGNATURE, "QEMU".getBytes(StandardCharsets.US_ASCII));
        items.put(KEY_ID, le(4, 1)); // traditional interface only, no DMA
        items.put(KEY_RAM_SIZE, le(8, ramSize));
        items.put(KEY_NB_CPUS, le(2, cpuCount));
        items.put(KEY_MAX_CPUS, le(2, cpuCount));
        items.put(KEY_MAX_RAM, le(8, 0));
    }

    private static byte[] le(int size, long value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        byte[] out = new byte[size];
        System.arraycopy(b.array(), 0, out, 0, size);
        return out;
    }

    @Override
    public synchronized int read(int port, int size) {
        if (port != DATA_PORT) {
            return 0;
        }
        int value = 0;
        for (int i = 0; i < size; i++) {
            int b = offset < selected.length ? selected[offset++] & 0xff : 0;
            value |= b << (8 * i);
        }
        return value;
    }

    @Override
    public synchronized void write(int port, int size, int value) {
        if (port == SELECTOR_PORT) {
            // Unknown keys select an empty item: reads return 0, as QEMU does.
            selected = items.getOrDefault(value & 0xffff, new byte[0]);
            offset = 0;
        }
    }
}
