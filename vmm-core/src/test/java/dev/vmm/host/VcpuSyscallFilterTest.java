package dev.vmm.host;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vCPU threads' seccomp program: its verdicts computed by {@link BpfInterpreter}, its numbers
 * against the C headers, and the real thing installed on a throw-away thread (no KVM needed).
 */
class VcpuSyscallFilterTest {
    private static final int X86_64 = Seccomp.AUDIT_ARCH_X86_64;
    private static final int I386 = 0x40000003;
    private static final int DENY = Seccomp.SECCOMP_RET_ERRNO | VcpuSyscallFilter.EPERM;
    private static final int ALLOW = Seccomp.SECCOMP_RET_ALLOW;
    private final List<SockFilter> program = VcpuSyscallFilter.program();

    @Test
    void everyDeniedCallGetsEperm() {
        for (Map.Entry<String, Integer> e : VcpuSyscallFilter.DENIED.entrySet()) {
            assertEquals(DENY, BpfInterpreter.run(program, X86_64, e.getValue()), e.getKey());
        }
    }

    @Test
    void whatTheJvmAndTheRunLoopUseIsAllowed() {
        // read, write, mmap, munmap, madvise, futex, ioctl (KVM_RUN), rt_sigreturn, sched_setaffinity,
        // gettid, tgkill, msync, pread64, openat, userfaultfd
        for (int nr : new int[] {0, 1, 9, 11, 28, 202, 16, 15, 203, 186, 234, 26, 17, 257, 323}) {
            assertEquals(ALLOW, BpfInterpreter.run(program, X86_64, nr), "syscall " + nr);
        }
    }

    @Test
    void cloneIsAllowedForAThreadOnly() {
        long jvmThreadFlags = 0x3d0f00; // what glibc's pthread_create passes: CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
        assertEquals(ALLOW, BpfInterpreter.run(program, X86_64, VcpuSyscallFilter.SYS_CLONE, jvmThreadFlags));
        long forkFlags = 0x01200011; // glibc fork(): CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD
        assertEquals(DENY, BpfInterpreter.run(program, X86_64, VcpuSyscallFilter.SYS_CLONE, forkFlags));
        long spawnFlags = 0x4111; // posix_spawn: CLONE_VM|CLONE_VFORK|SIGCHLD
        assertEquals(DENY, BpfInterpreter.run(program, X86_64, VcpuSyscallFilter.SYS_CLONE, spawnFlags));
        // CLONE_THREAD only in the high word of the 64-bit argument does not count
        assertEquals(DENY, BpfInterpreter.run(program, X86_64, VcpuSyscallFilter.SYS_CLONE,
                (long) VcpuSyscallFilter.CLONE_THREAD << 32 | 0x11));
        assertEquals(Seccomp.SECCOMP_RET_ERRNO | VcpuSyscallFilter.ENOSYS,
                BpfInterpreter.run(program, X86_64, VcpuSyscallFilter.SYS_CLONE3));
    }

    @Test
    void otherArchitecturesAndX32AreRefused() {
        assertEquals(DENY, BpfInterpreter.run(program, I386, 1));
        assertEquals(DENY, BpfInterpreter.run(program, X86_64, Seccomp.X32_SYSCALL_BIT | 1));
        assertEquals(DENY, BpfInterpreter.run(program, X86_64, Seccomp.X32_SYSCALL_BIT | 59));
    }

    @Test
    void programFitsTheKernelLimits() {
        assertTrue(program.size() <= 4096, "BPF_MAXINSNS");
    }

    @Test
    void numbersMatchTheCHeaders(@TempDir Path dir) throws Exception {
        CHeaderCheck check = new CHeaderCheck("sys/syscall.h", "sys/prctl.h", "sched.h", "errno.h",
                "linux/seccomp.h", "linux/filter.h", "linux/audit.h", "stddef.h")
                .expect("PR_SET_NO_NEW_PRIVS", Seccomp.PR_SET_NO_NEW_PRIVS)
                .expect("SYS_seccomp", Seccomp.SYS_SECCOMP)
                .expect("SECCOMP_SET_MODE_FILTER", Seccomp.SECCOMP_SET_MODE_FILTER)
                .expect("SECCOMP_RET_ALLOW", Seccomp.SECCOMP_RET_ALLOW)
                .expect("SECCOMP_RET_ERRNO", Seccomp.SECCOMP_RET_ERRNO)
                .expect("SECCOMP_RET_DATA", Seccomp.SECCOMP_RET_DATA)
                .expect("AUDIT_ARCH_X86_64", Seccomp.AUDIT_ARCH_X86_64 & 0xffffffffL)
                .expect("__X32_SYSCALL_BIT", Seccomp.X32_SYSCALL_BIT)
                .expect("offsetof(struct seccomp_data, nr)", Seccomp.OFF_NR)
                .expect("offsetof(struct seccomp_data, arch)", Seccomp.OFF_ARCH)
                .expect("offsetof(struct seccomp_data, args)", Seccomp.OFF_ARGS)
                .expect("sizeof(struct sock_fprog)", Seccomp.SIZEOF_SOCK_FPROG)
                .expect("offsetof(struct sock_fprog, filter)", Seccomp.OFF_FPROG_FILTER)
                .expect("sizeof(struct sock_filter)", SockFilter.SIZE)
                .expect("BPF_LD", SockFilter.BPF_LD)
                .expect("BPF_JMP", SockFilter.BPF_JMP)
                .expect("BPF_RET", SockFilter.BPF_RET)
                .expect("BPF_W", SockFilter.BPF_W)
                .expect("BPF_ABS", SockFilter.BPF_ABS)
                .expect("BPF_JEQ", SockFilter.BPF_JEQ)
                .expect("BPF_JGE", SockFilter.BPF_JGE)
                .expect("BPF_JSET", SockFilter.BPF_JSET)
                .expect("BPF_K", SockFilter.BPF_K)
                .expect("SYS_clone", VcpuSyscallFilter.SYS_CLONE)
                .expect("SYS_clone3", VcpuSyscallFilter.SYS_CLONE3)
                .expect("CLONE_THREAD", VcpuSyscallFilter.CLONE_THREAD)
                .expect("EPERM", VcpuSyscallFilter.EPERM)
                .expect("ENOSYS", VcpuSyscallFilter.ENOSYS);
        for (Map.Entry<String, Integer> e : VcpuSyscallFilter.DENIED.entrySet()) {
            check.expect("SYS_" + e.getKey(), e.getValue());
        }
        check.assertAllMatch(dir);
    }

    /** A filtered thread is refused what is on the list and keeps the rest; the caller's thread is untouched. */
    @Test
    void installedFilterRefusesOnlyThatThread() throws Exception {
        long execve = VcpuSyscallFilter.DENIED.get("execve");
        long socket = VcpuSyscallFilter.DENIED.get("socket");
        AtomicReference<String> result = new AtomicReference<>();
        Thread t = new Thread(() -> {
            StringBuilder r = new StringBuilder();
            r.append("install=").append(VcpuSyscallFilter.installOnThisThread());
            r.append(" mode=").append(Seccomp.modeOfThisThread());
            // execve of a path that does not exist: unfiltered it would say ENOENT and exec nothing
            Memory path = cstr("/nonexistent/vmm");
            long rc = LibC.syscall(execve, Pointer.nativeValue(path), 0, 0);
            r.append(" execve=").append(rc).append('/').append(Native.getLastError());
            rc = LibC.syscall(socket, 2, 1, 0);
            r.append(" socket=").append(rc).append('/').append(Native.getLastError());
            try {
                new ProcessBuilder("/bin/true").start().waitFor();
                r.append(" spawn=ok");
            } catch (Exception e) {
                r.append(" spawn=refused");
            }
            // a Java thread can still be started, and the JVM still allocates and synchronises
            Thread inner = new Thread(() -> {});
            inner.start();
            try {
                inner.join();
                r.append(" thread=ok");
            } catch (InterruptedException e) {
                r.append(" thread=interrupted");
            }
            result.set(r.toString());
        });
        t.start();
        t.join();
        assertEquals("install=0 mode=2 execve=-1/1 socket=-1/1 spawn=refused thread=ok", result.get());
        // this thread: unfiltered
        assertNotEquals(2, Seccomp.modeOfThisThread());
        assertEquals(0, new ProcessBuilder("/bin/true").start().waitFor());
        long rc = LibC.syscall(socket, 2, 1, 0);
        assertTrue(rc >= 0, "socket on the unfiltered thread");
        LibC.close((int) rc);
    }

    private static Memory cstr(String s) {
        Memory m = new Memory(s.length() + 1);
        m.setString(0, s, "US-ASCII");
        return m;
    }
}
