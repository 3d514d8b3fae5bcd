package dev.vmm.devices;

import dev.vmm.platform.PlatformLayout;
import dev.vmm.bus.PioDevice;
import dev.vmm.host.LibC;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A test device that makes the host steal time from the vCPU that asks for it, so that a guest can
 * watch KVM's steal-time accounting ({@code MSR_KVM_STEAL_TIME}) grow. Not part of a PC: the machine
 * has it only when its configuration asks ({@code TestDevice.HOST_CONTENTION}: {@code vmm test} for the
 * steal-time checks, {@code vmm run --host-contention}).
 *
 * <p>Ports {@code 0x5e0-0x5e7} (free on a PC and in QEMU's {@code pc}/{@code microvm} machines),
 * 32-bit accesses only:
 * <ul>
 *   <li>{@code 0x5e0} write {@link #CMD_START}: pins the writing vCPU's thread (port I/O is handled on
 *       the vCPU's own thread) to the host CPU it is on, and starts a Java thread pinned to the same
 *       CPU that spins. The scheduler then shares that CPU between the two, so the vCPU waits
 *       runnable about half the time: the run delay KVM reports as steal. The busy thread gives up
 *       by itself after {@link #MAX_NANOS} and puts the vCPU's affinity back, so a guest that never
 *       sends stop cannot hold a host CPU.</li>
 *   <li>{@code 0x5e0} write {@link #CMD_STOP}: ends the busy thread and restores the vCPU thread's
 *       original affinity.</li>
 *   <li>{@code 0x5e0} read: {@link #STATUS_IDLE}, {@link #STATUS_CONTENDED} or {@link #STATUS_ERROR} (the last
 *       command failed: bad order, or the host refused the affinity). A machine without the device
 *       reads all ones there.</li>
 *   <li>{@code 0x5e4} read: the run delay of the vCPU thread between its start and stop, in µs
 *       ({@code /proc/thread-self/schedstat} field 2), or {@link #RUN_DELAY_UNKNOWN} when the host
 *       kernel keeps no schedstat.</li>
 * </ul>
 */
public final class HostContention implements PioDevice {
    public static final int BASE = PlatformLayout.HOST_CONTENTION_PORT;
    public static final int SIZE = PlatformLayout.HOST_CONTENTION_SIZE;
    public static final int CMD_START = 1;
    public static final int CMD_STOP = 2;
    public static final int STATUS_IDLE = 0;
    public static final int STATUS_CONTENDED = 1;
    public static final int STATUS_ERROR = 2;
    public static final int RUN_DELAY_UNKNOWN = 0xffffffff;
    /** Longest a contention lasts without a stop: bounds what a guest can take from the host. */
    public static final long MAX_NANOS = 2_000_000_000L;

    /** glibc's cpu_set_t: 1024 CPUs. */
    private static final int MASK_BYTES = 128;

    /** One contention: the vCPU thread's own affinity to give back, and the thread that competes with it. */
    private static final class Session {
        final int vcpuTid;
        final byte[] original;
        final Thread busy;
        final long runDelayStart;
        volatile boolean stop;

        Session(int vcpuTid, byte[] original, Thread busy, long runDelayStart) {
            this.vcpuTid = vcpuTid;
            this.original = original;
            this.busy = busy;
            this.runDelayStart = runDelayStart;
        }
    }

    private final long maxNanos;
    private Session session;
    private int status = STATUS_IDLE;
    private int runDelayMicros;

    public HostContention() {
        this(MAX_NANOS);
    }

    /** With a shorter limit than {@link #MAX_NANOS}: for tests of the limit. */
    HostContention(long maxNanos) {
        this.maxNanos = maxNanos;
    }

    @Override
    public synchronized int read(int port, int size) {
        if (size != 4) return 0;
        return switch (port - BASE) {
            case 0 -> status;
            case 4 -> runDelayMicros;
            default -> 0;
        };
    }

    @Override
    public synchronized void write(int port, int size, int value) {
        if (port != BASE || size != 4) return;
        switch (value) {
            case CMD_START -> status = start() ? STATUS_CONTENDED : STATUS_ERROR;
            case CMD_STOP -> status = stop() ? STATUS_IDLE : STATUS_ERROR;
            default -> status = STATUS_ERROR;
        }
    }

    private boolean start() {
        if (session != null) {
            if (session.busy.isAlive()) return false; // one contention at a time
            session = null; // it ran out without a stop (a guest reset, say): its busy thread restored the affinity
        }
        byte[] original = new byte[MASK_BYTES];
        if (LibC.sched_getaffinity(0, MASK_BYTES, original) != 0) return false;
        int cpu = LibC.sched_getcpu();
        if (cpu < 0 || cpu >= MASK_BYTES * 8) return false;
        byte[] one = new byte[MASK_BYTES];
        one[cpu / 8] = (byte) (1 << (cpu % 8));
        if (LibC.sched_setaffinity(0, MASK_BYTES, one) != 0) return false;
        int tid = LibC.gettid();
        Session[] holder = new Session[1];
        Thread busy = new Thread(() -> compete(holder[0], one, maxNanos), "host-contention-cpu" + cpu);
        busy.setDaemon(true);
        Session s = new Session(tid, original, busy, runDelayNanos());
        holder[0] = s;
        session = s;
        busy.start();
        return true;
    }

    /** The competing thread: on the vCPU's CPU until stop or {@code maxNanos}. */
    private static void compete(Session s, byte[] cpu, long maxNanos) {
        if (LibC.sched_setaffinity(0, MASK_BYTES, cpu) != 0) return;
        long end = System.nanoTime() + maxNanos;
        while (!s.stop && System.nanoTime() - end < 0) {
            // spin: a runnable thread is what makes the vCPU wait
        }
        if (!s.stop) {
            // nobody said stop: give the vCPU its CPUs back (a tid may be set from any thread)
            LibC.sched_setaffinity(s.vcpuTid, MASK_BYTES, s.original);
        }
    }

    private boolean stop() {
        Session s = session;
        if (s == null || s.vcpuTid != LibC.gettid()) return false;
        session = null;
        s.stop = true;
        try {
            s.busy.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean restored = LibC.sched_setaffinity(0, MASK_BYTES, s.original) == 0;
        long end = runDelayNanos();
        runDelayMicros = s.runDelayStart < 0 || end < 0 ? RUN_DELAY_UNKNOWN
                : (int) Math.min((end - s.runDelayStart) / 1000, 0xfffffffeL);
        return restored;
    }

    /** Field 2 of the calling thread's schedstat: ns spent runnable but waiting for a CPU; -1 if absent. */
    private static long runDelayNanos() {
        try {
            String[] f = Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split("\\s+");
            return Long.parseLong(f[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
