package dev.vmm.vm;

import dev.vmm.host.Errno;
import dev.vmm.host.Seccomp;
import dev.vmm.host.VcpuSyscallFilter;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether vCPU threads run under {@link VcpuSyscallFilter}, and putting them there. On by default;
 * {@code -Dvmm.seccomp=off} (what {@code vmm run --seccomp off} sets) turns it off. The filter is
 * installed by each vCPU thread on itself before its first KVM_RUN, so the rest of the JVM (the main
 * thread, QMP, gdb, device threads) is untouched.
 */
public final class VcpuSeccomp {
    public static final String PROPERTY = "vmm.seccomp";

    private static final AtomicBoolean warned = new AtomicBoolean();

    static {
        loadJdkNativeIoFirst();
    }

    private VcpuSeccomp() {}

    /**
     * Runs once, on the thread that first touches this class, before any filter exists. The JDK
     * probes the host with sockets when its I/O libraries are first loaded: libnet decides for the
     * whole JVM whether IPv6 works by creating an AF_INET6 socket, and NIO's FileDispatcherImpl
     * makes a socketpair in its class initialiser. Done first on a filtered thread, the socket
     * would get EPERM and the JVM would run without IPv6 from then on (strace of {@code vmm doctor}'s
     * probe showed exactly that before this). So both are loaded here, unfiltered.
     */
    private static void loadJdkNativeIoFirst() {
        InetAddress.getLoopbackAddress();
        try (FileChannel c = FileChannel.open(Path.of("/proc/self/stat"))) {
            c.read(ByteBuffer.allocate(1));
        } catch (IOException e) {
            // nothing to warm up with; the libraries then load wherever they are first used
        }
    }

    public static boolean enabled() {
        return !"off".equals(System.getProperty(PROPERTY, "on"));
    }

    /**
     * Installs the filter on the calling (vCPU) thread when enabled. A kernel without seccomp
     * filters is not a reason to refuse to run a guest: vmm says so once and goes on.
     *
     * @return true when the thread is now filtered
     */
    static boolean applyToThisThread() {
        if (!enabled()) {
            return false;
        }
        int errno = VcpuSyscallFilter.installOnThisThread();
        if (errno != 0 && warned.compareAndSet(false, true)) {
            System.err.println("vmm: warning: cannot install the vCPU seccomp filter (" + Errno.name(errno)
                    + "); vCPU threads run unfiltered");
        }
        return errno == 0;
    }

    /**
     * What {@code vmm doctor} reports: whether the filter is on, and whether this kernel takes it,
     * tried for real on a throw-away thread that installs it and then checks /proc and a denied
     * call (socket, which must fail with EPERM).
     */
    public static String probe() throws InterruptedException {
        String[] out = new String[1];
        Thread t = new Thread(() -> {
            int errno = VcpuSyscallFilter.installOnThisThread();
            if (errno != 0) {
                out[0] = "the kernel refused it (" + Errno.name(errno) + "): vCPU threads would run unfiltered";
                return;
            }
            long rc = dev.vmm.host.LibC.syscall(VcpuSyscallFilter.DENIED.get("socket"), 2, 1, 0);
            int socketErrno = com.sun.jna.Native.getLastError();
            if (rc >= 0) {
                dev.vmm.host.LibC.close((int) rc);
            }
            out[0] = rc == -1 && socketErrno == VcpuSyscallFilter.EPERM && Seccomp.modeOfThisThread() == 2
                    ? "installs here (" + VcpuSyscallFilter.program().size() + " BPF instructions, "
                    + VcpuSyscallFilter.DENIED.size() + " syscalls denied with EPERM; a test socket() got EPERM)"
                    : "installed but not effective (socket() returned " + rc + ", " + Errno.name(socketErrno) + ")";
        }, "seccomp-probe");
        t.setUncaughtExceptionHandler((th, e) -> out[0] = "broke the probe thread: " + e);
        t.start();
        t.join();
        return (enabled() ? "on" : "off (-D" + PROPERTY + "=off)") + "; the filter " + out[0];
    }
}
