package dev.vmm.devices;

import dev.vmm.host.LibC;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The contention device with real affinity calls, on the test's own thread standing in for a vCPU
 * thread (the run loop calls devices on the vCPU's thread): start pins it to one CPU shared with a
 * busy thread, stop gives back the original affinity and reports the run delay.
 */
class HostContentionTest {
    private static byte[] affinity() {
        byte[] mask = new byte[128];
        assertEquals(0, LibC.sched_getaffinity(0, mask.length, mask));
        return mask;
    }

    private static int cpus(byte[] mask) {
        int n = 0;
        for (byte b : mask) n += Integer.bitCount(b & 0xff);
        return n;
    }

    @Test
    void startPinsToOneCpuAndStopRestoresTheAffinity() throws Exception {
        HostContention dev = new HostContention();
        byte[] before = affinity();
        assertEquals(HostContention.STATUS_IDLE, dev.read(HostContention.BASE, 4));
        dev.write(HostContention.BASE, 4, HostContention.CMD_START);
        assertEquals(HostContention.STATUS_CONTENDED, dev.read(HostContention.BASE, 4));
        assertEquals(1, cpus(affinity()), "the calling thread is pinned to one CPU");
        Thread busy = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("host-contention-cpu")).findFirst().orElseThrow();
        assertTrue(busy.isAlive(), "a busy thread competes for that CPU");
        long end = System.nanoTime() + 50_000_000L;
        while (System.nanoTime() < end) {
            // keep running on the shared CPU, as a vCPU does
        }
        dev.write(HostContention.BASE, 4, HostContention.CMD_STOP);
        assertEquals(HostContention.STATUS_IDLE, dev.read(HostContention.BASE, 4));
        assertArrayEquals(before, affinity(), "stop puts the original affinity back");
        busy.join(1000);
        assertFalse(busy.isAlive(), "stop ends the busy thread");
        int rd = dev.read(HostContention.BASE + 4, 4);
        org.junit.jupiter.api.Assumptions.assumeTrue(rd != HostContention.RUN_DELAY_UNKNOWN,
                "this host kernel keeps no schedstat (/proc/thread-self/schedstat)");
        assertNotEquals(0, rd, "sharing a CPU with a spinning thread for 50 ms makes this thread wait");
    }

    @Test
    void stopWithoutStartOrFromAnotherThreadIsAnError() throws Exception {
        HostContention dev = new HostContention();
        dev.write(HostContention.BASE, 4, HostContention.CMD_STOP);
        assertEquals(HostContention.STATUS_ERROR, dev.read(HostContention.BASE, 4));
        byte[] before = affinity();
        dev.write(HostContention.BASE, 4, HostContention.CMD_START);
        AtomicInteger other = new AtomicInteger(-1);
        Thread t = new Thread(() -> {
            dev.write(HostContention.BASE, 4, HostContention.CMD_STOP);
            other.set(dev.read(HostContention.BASE, 4));
        });
        t.start();
        t.join();
        assertEquals(HostContention.STATUS_ERROR, other.get(), "only the vCPU that started may stop");
        dev.write(HostContention.BASE, 4, HostContention.CMD_START);
        assertEquals(HostContention.STATUS_ERROR, dev.read(HostContention.BASE, 4), "one contention at a time");
        dev.write(HostContention.BASE, 4, HostContention.CMD_STOP);
        assertEquals(HostContention.STATUS_IDLE, dev.read(HostContention.BASE, 4));
        assertTrue(Arrays.equals(before, affinity()));
    }

    @Test
    void aContentionNobodyStopsEndsByItselfAndRestoresTheAffinity() throws Exception {
        HostContention dev = new HostContention(100_000_000L);
        byte[] before = affinity();
        dev.write(HostContention.BASE, 4, HostContention.CMD_START);
        assertEquals(HostContention.STATUS_CONTENDED, dev.read(HostContention.BASE, 4));
        // On a loaded host the 100 ms limit may be over before we look: then the thread is gone already.
        java.util.Optional<Thread> busy = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("host-contention-cpu") && t.isAlive()).findFirst();
        if (busy.isPresent()) {
            busy.get().join(5000);
            assertFalse(busy.get().isAlive(), "the busy thread gives up after the limit");
        }
        assertArrayEquals(before, affinity(), "and gives the vCPU thread its CPUs back");
        dev.write(HostContention.BASE, 4, HostContention.CMD_START);
        assertEquals(HostContention.STATUS_CONTENDED, dev.read(HostContention.BASE, 4), "a new contention may start");
        dev.write(HostContention.BASE, 4, HostContention.CMD_STOP);
        assertEquals(HostContention.STATUS_IDLE, dev.read(HostContention.BASE, 4));
        assertArrayEquals(before, affinity());
    }
}
