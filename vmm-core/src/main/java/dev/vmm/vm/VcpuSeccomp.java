package dev.vmm.vm;

import dev.vmm.host.Errno;
import dev.vmm.host.VcpuSyscallFilter;

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

    private VcpuSeccomp() {}

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
}
