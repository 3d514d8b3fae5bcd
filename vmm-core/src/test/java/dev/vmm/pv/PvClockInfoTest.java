package dev.vmm.pv;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PvClockInfoTest {
    @Test
    void decodesTheLittleEndianLayout() {
        ByteBuffer bb = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(0, 4).putInt(4, 0xdeadbeef).putLong(8, 0x1122334455L).putLong(16, 279069301L)
                .putInt(24, (int) 3512682389L).put(28, (byte) -1).put(29, (byte) 1);
        PvClockInfo c = PvClockInfo.decode(bb.array());
        assertEquals(4, c.version());
        assertEquals(0x1122334455L, c.tscTimestamp());
        assertEquals(279069301L, c.systemTime());
        assertEquals(3512682389L, c.tscToSystemMul());
        assertEquals(-1, c.tscShift());
        assertTrue(c.tscStable());
        assertFalse(c.updating());
        assertEquals("kvmclock version=4 system_time=279069301 tsc_timestamp=73588229205 mul=3512682389 shift=-1 flags=0x1",
                c.toString());
    }

    @Test
    void scalesTscDeltasLikePvclock() {
        // mul = 2^31 with shift 0 is half a nanosecond per tick; shift -1 halves again.
        PvClockInfo half = new PvClockInfo(2, 0, 0, 1L << 31, 0, 0);
        assertEquals(500, half.scaleDelta(1000));
        assertEquals(250, new PvClockInfo(2, 0, 0, 1L << 31, -1, 0).scaleDelta(1000));
        assertEquals(1000, new PvClockInfo(2, 0, 0, 1L << 31, 1, 0).scaleDelta(1000));
        // the high half of a 64-bit delta is scaled too
        assertEquals((1L << 31) + 500, half.scaleDelta((1L << 32) + 1000));
    }

    @Test
    void oddVersionMeansUpdating() {
        byte[] b = new byte[32];
        b[0] = 3;
        assertTrue(PvClockInfo.decode(b).updating());
        assertThrows(IllegalArgumentException.class, () -> PvClockInfo.decode(new byte[31]));
    }

    @Test
    void msrTableMatchesLinux() {
        assertSame(PvMsr.SYSTEM_TIME_NEW, PvMsr.byIndex(0x4b564d01));
        assertEquals("MSR_KVM_POLL_CONTROL", PvMsr.byIndex(0x4b564d05).linuxName());
        assertSame(dev.vmm.cpu.PvFeature.ASYNCPF_INT, PvMsr.ASYNC_PF_ACK.feature());
        assertNull(PvMsr.byIndex(0x4b564d08));
    }
}
