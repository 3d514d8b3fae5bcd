package dev.vmm.devices;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class KvmStatsWindowTest {
    /** vCPU with APIC ID 96 only; its tlb_flush counter is whatever the test sets. */
    private final Map<String, Long> apic96 = new HashMap<>(Map.of("tlb_flush", 5L, "exits", 100L));
    private final KvmStatsWindow device = new KvmStatsWindow(id -> id == 96 ? Map.copyOf(apic96) : null);

    @Test
    void keepsTheChangeBetweenBeginAndEndOfTheNamedVcpu() {
        device.write(KvmStatsWindow.BEGIN, 4, 96 << 8 | 2);
        apic96.put("tlb_flush", 7L);
        device.write(KvmStatsWindow.END, 4, 96 << 8 | 2);
        Map<String, Long> change = device.change(2).orElseThrow();
        assertEquals(2L, change.get("tlb_flush"));
        assertEquals(0L, change.get("exits"), "unchanged counters are kept, as 0");
        assertTrue(device.change(1).isEmpty());
    }

    @Test
    void noWindowWithoutABeginAnUnknownVcpuWindowZeroOrANarrowWrite() {
        device.write(KvmStatsWindow.END, 4, 96 << 8 | 3);
        assertTrue(device.change(3).isEmpty(), "end without begin");
        device.write(KvmStatsWindow.BEGIN, 4, 7 << 8 | 4);
        device.write(KvmStatsWindow.END, 4, 7 << 8 | 4);
        assertTrue(device.change(4).isEmpty(), "no vCPU with APIC ID 7");
        device.write(KvmStatsWindow.BEGIN, 4, 96 << 8);
        device.write(KvmStatsWindow.END, 4, 96 << 8);
        assertTrue(device.change(0).isEmpty(), "window 0 is not a window");
        device.write(KvmStatsWindow.BEGIN, 1, 5);
        device.write(KvmStatsWindow.END, 1, 5);
        assertTrue(device.change(5).isEmpty(), "byte writes are ignored");
        assertEquals(0xffffffff, device.read(KvmStatsWindow.BEGIN, 4));
    }
}
