package dev.vmm.devices;

import dev.vmm.bus.PioDevice;
import dev.vmm.platform.PlatformLayout;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * A test device that lets the guest bracket a stretch of its own run for the host to measure: the
 * guest names a window and a vCPU (by APIC ID) when the stretch begins and again when it ends, and
 * the host keeps that vCPU's KVM binary-stats change between the two moments. Host evidence that
 * belongs to one guest action — a KICK_CPU waking a halted vCPU, a TLB flush the guest asked for
 * while its vCPU was preempted — can then be told apart from everything else the boot did. Not part
 * of a PC: a machine has it when its configuration asks ({@code TestDevice.KVM_STATS_WINDOW}), as
 * {@code vmm test}'s boots do.
 *
 * <p>Ports {@code 0x5e8-0x5ef}, 32-bit writes of {@code (apicId << 8) | window} with {@code window}
 * 1..255: {@code 0x5e8} begins the window, {@code 0x5ec} ends it. Every port access is handled on
 * the writing vCPU's own thread while that vCPU is out of the guest, so a begin and an end written
 * by one vCPU bracket exactly what that vCPU did between them; the measured vCPU may be another one
 * (its counters are read at those moments, wherever it is). Without the device the writes are
 * dropped, as for any free port.
 */
public final class KvmStatsWindow implements PioDevice {
    public static final int BASE = PlatformLayout.KVM_STATS_WINDOW_PORT;
    public static final int SIZE = PlatformLayout.KVM_STATS_WINDOW_SIZE;
    public static final int BEGIN = BASE;
    public static final int END = BASE + 4;

    private final IntFunction<Map<String, Long>> statsOfApicId;
    private final Map<Integer, Map<String, Long>> begun = new ConcurrentHashMap<>();
    private final Map<Integer, Map<String, Long>> measured = new ConcurrentHashMap<>();

    /**
     * @param statsOfApicId the current counters of the vCPU with that APIC ID, or null when it has
     *                      none (no such vCPU, or no binary stats)
     */
    public KvmStatsWindow(IntFunction<Map<String, Long>> statsOfApicId) {
        this.statsOfApicId = statsOfApicId;
    }

    @Override
    public int read(int port, int size) {
        return size == 4 ? 0xffffffff : (1 << (8 * size)) - 1; // write-only
    }

    @Override
    public void write(int port, int size, int value) {
        int window = value & 0xff, apicId = value >>> 8;
        if (size != 4 || window == 0) return;
        Map<String, Long> now = statsOfApicId.apply(apicId);
        if (now == null) return;
        if (port == BEGIN) {
            begun.put(window, now);
            measured.remove(window);
        } else if (port == END) {
            Map<String, Long> before = begun.remove(window);
            if (before != null) measured.put(window, change(before, now));
        }
    }

    /** Every counter of {@code after} with its change since {@code before}, unchanged ones as 0. */
    static Map<String, Long> change(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new java.util.LinkedHashMap<>(after);
        out.replaceAll((name, v) -> v - before.getOrDefault(name, 0L));
        return out;
    }

    /**
     * The counters' change over the window (unchanged ones as 0; a missing name is a counter this
     * host's KVM does not have), if the guest began and ended it.
     */
    public Optional<Map<String, Long>> change(int window) {
        return Optional.ofNullable(measured.get(window));
    }
}
