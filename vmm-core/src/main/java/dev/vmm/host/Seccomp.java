package dev.vmm.host;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Installs a seccomp filter on the calling thread only (no {@code SECCOMP_FILTER_FLAG_TSYNC}: the
 * JVM's other threads, and the process as a whole, keep every syscall). Constants are those of
 * linux/seccomp.h, linux/audit.h, sys/prctl.h and sys/syscall.h for x86-64, checked by
 * HostConstantsTest.
 */
public final class Seccomp {
    private Seccomp() {}

    public static final int PR_SET_NO_NEW_PRIVS = 38;
    public static final long SYS_SECCOMP = 317;
    public static final int SECCOMP_SET_MODE_FILTER = 1;
    public static final int SECCOMP_RET_ALLOW = 0x7fff0000;
    public static final int SECCOMP_RET_ERRNO = 0x00050000;
    public static final int SECCOMP_RET_DATA = 0x0000ffff;
    public static final int AUDIT_ARCH_X86_64 = 0xc000003e;
    /** Set in the syscall number of the x32 ABI, which shares AUDIT_ARCH_X86_64. */
    public static final int X32_SYSCALL_BIT = 0x40000000;

    /** Offsets in struct seccomp_data, what the filter reads. */
    public static final int OFF_NR = 0;
    public static final int OFF_ARCH = 4;
    public static final int OFF_ARGS = 16;
    /** sizeof(struct sock_fprog): an unsigned short count, padding, then the pointer. */
    public static final int SIZEOF_SOCK_FPROG = 16;
    public static final int OFF_FPROG_FILTER = 8;

    /**
     * prctl(PR_SET_NO_NEW_PRIVS, 1) (required for an unprivileged filter) then
     * seccomp(SECCOMP_SET_MODE_FILTER, 0, program) on the calling thread.
     *
     * @return 0, or the errno of the step that failed (the thread is then unfiltered)
     */
    public static int installOnThisThread(List<SockFilter> program) {
        if (LibC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
            return Native.getLastError();
        }
        Memory insns = new Memory((long) program.size() * SockFilter.SIZE);
        for (int i = 0; i < program.size(); i++) {
            SockFilter f = program.get(i);
            long at = (long) i * SockFilter.SIZE;
            insns.setShort(at, (short) f.code());
            insns.setByte(at + 2, (byte) f.jt());
            insns.setByte(at + 3, (byte) f.jf());
            insns.setInt(at + 4, f.k());
        }
        Memory fprog = new Memory(SIZEOF_SOCK_FPROG);
        fprog.clear();
        fprog.setShort(0, (short) program.size());
        fprog.setPointer(OFF_FPROG_FILTER, insns);
        // The kernel copies the program, so the native memory may go once the call returns.
        long r = LibC.syscall(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, 0, Pointer.nativeValue(fprog));
        int errno = r == 0 ? 0 : Native.getLastError();
        insns.close();
        fprog.close();
        return errno;
    }

    /** The calling thread's seccomp mode as /proc reports it: 0 none, 1 strict, 2 filter, -1 unknown. */
    public static int modeOfThisThread() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
                if (line.startsWith("Seccomp:")) {
                    return Integer.parseInt(line.substring("Seccomp:".length()).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
