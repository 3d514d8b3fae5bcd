package dev.vmm.pv;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 32-byte per-vCPU kvmclock structure KVM writes at the GPA in MSR_KVM_SYSTEM_TIME(_NEW)
 * ({@code struct pvclock_vcpu_time_info}): version (odd while KVM updates it), tsc_timestamp,
 * system_time (ns), tsc_to_system_mul, tsc_shift, flags (bit 0 TSC_STABLE, bit 1 GUEST_STOPPED).
 */
public record PvClockInfo(long version, long tscTimestamp, long systemTime, long tscToSystemMul, int tscShift,
                          int flags) {
    public static final int SIZE = 32;
    public static final int FLAG_TSC_STABLE = 1;
    public static final int FLAG_GUEST_STOPPED = 2;

    /** Decodes the structure from its 32 little-endian bytes. */
    public static PvClockInfo decode(byte[] b) {
        if (b.length < SIZE) throw new IllegalArgumentException("pvclock structure needs " + SIZE + " bytes, got " + b.length);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        return new PvClockInfo(bb.getInt(0) & 0xffff_ffffL, bb.getLong(8), bb.getLong(16),
                bb.getInt(24) & 0xffff_ffffL, bb.get(28), bb.get(29) & 0xff);
    }

    public boolean updating() {
        return (version & 1) != 0;
    }

    public boolean tscStable() {
        return (flags & FLAG_TSC_STABLE) != 0;
    }

    /** Nanoseconds since the structure's timestamp after {@code tscDelta} TSC ticks (pvclock_scale_delta). */
    public long scaleDelta(long tscDelta) {
        long d = tscShift < 0 ? tscDelta >>> -tscShift : tscDelta << tscShift;
        long lo = ((d & 0xffff_ffffL) * tscToSystemMul) >>> 32;
        long hi = (d >>> 32) * tscToSystemMul;
        return hi + lo;
    }

    @Override
    public String toString() {
        return "kvmclock version=" + version + " system_time=" + systemTime + " tsc_timestamp=" + tscTimestamp
                + " mul=" + tscToSystemMul + " shift=" + tscShift + " flags=0x" + Integer.toHexString(flags);
    }
}
