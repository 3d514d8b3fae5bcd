package dev.vmm.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The seccomp filter of a vCPU thread: a deny list. A vCPU thread is a JVM thread, and the JVM
 * makes syscalls on it that vmm does not choose (futex for monitors, mmap and madvise for the heap,
 * file reads for class loading, signals for safepoints), so an allow list would break on the next
 * JDK. Instead the filter refuses what a thread that runs guest code never needs: starting programs
 * or processes, reading or writing other processes, loading kernel code, mounting, new sockets, BPF,
 * perf and keyrings. Not socketpair: the JDK's FileDispatcherImpl makes one when the class is
 * initialised, which can happen on whichever thread opens the first FileChannel, a vCPU thread
 * included, and a class whose initialiser failed stays unusable for the whole JVM (a pair of
 * connected local sockets reaches nothing else). A refused call fails with EPERM; nothing is killed, because a killed JVM
 * thread leaves the machine hanging rather than stopped.
 *
 * <p>Syscall numbers are x86-64's (sys/syscall.h, checked by HostConstantsTest). The program first
 * checks that the call is an x86-64 one: an i386 ({@code int 0x80}) or x32 call would use other
 * numbers for the same calls, so both are refused wholesale.
 */
public final class VcpuSyscallFilter {
    private VcpuSyscallFilter() {}

    /** The denied calls by name (for the docs, vmm doctor and the header check), in program order. */
    public static final Map<String, Integer> DENIED = denied();

    public static final int SYS_CLONE = 56;
    public static final int SYS_CLONE3 = 435;
    /** clone's flag for a new thread of this process (what the JVM's Thread.start does). */
    public static final int CLONE_THREAD = 0x00010000;
    public static final int EPERM = 1;
    public static final int ENOSYS = 38;

    private static Map<String, Integer> denied() {
        LinkedHashMap<String, Integer> m = new LinkedHashMap<>();
        m.put("execve", 59);
        m.put("execveat", 322);
        m.put("fork", 57);
        m.put("vfork", 58);
        m.put("ptrace", 101);
        m.put("process_vm_readv", 310);
        m.put("process_vm_writev", 311);
        m.put("kexec_load", 246);
        m.put("kexec_file_load", 320);
        m.put("init_module", 175);
        m.put("finit_module", 313);
        m.put("delete_module", 176);
        m.put("mount", 165);
        m.put("umount2", 166);
        m.put("pivot_root", 155);
        m.put("chroot", 161);
        m.put("setns", 308);
        m.put("unshare", 272);
        m.put("bpf", 321);
        m.put("perf_event_open", 298);
        m.put("keyctl", 250);
        m.put("add_key", 248);
        m.put("request_key", 249);
        m.put("socket", 41);
        m.put("bind", 49);
        m.put("listen", 50);
        m.put("connect", 42);
        m.put("accept", 43);
        m.put("accept4", 288);
        return Collections.unmodifiableMap(m);
    }

    /** The whole program; {@link Seccomp#installOnThisThread} installs it. */
    public static List<SockFilter> program() {
        List<SockFilter> p = new ArrayList<>();
        int deny = Seccomp.SECCOMP_RET_ERRNO | EPERM;
        // Not x86-64: refuse (the numbers below would mean other calls).
        p.add(SockFilter.loadWord(Seccomp.OFF_ARCH));
        p.add(SockFilter.jumpIfEqual(Seccomp.AUDIT_ARCH_X86_64, 1, 0));
        p.add(SockFilter.ret(deny));
        p.add(SockFilter.loadWord(Seccomp.OFF_NR));
        p.add(SockFilter.jumpIfAtLeast(Seccomp.X32_SYSCALL_BIT, 0, 1));
        p.add(SockFilter.ret(deny));
        for (int nr : DENIED.values()) {
            p.add(SockFilter.jumpIfEqual(nr, 0, 1));
            p.add(SockFilter.ret(deny));
        }
        // clone3 passes its flags in a struct that BPF cannot read: answer ENOSYS so that glibc
        // falls back to clone, whose flags the next test can see.
        p.add(SockFilter.jumpIfEqual(SYS_CLONE3, 0, 1));
        p.add(SockFilter.ret(Seccomp.SECCOMP_RET_ERRNO | ENOSYS));
        // clone: a new thread (CLONE_THREAD in the low word of flags, args[0]) is allowed, a new
        // process is not.
        p.add(SockFilter.jumpIfEqual(SYS_CLONE, 0, 3));
        p.add(SockFilter.loadWord(Seccomp.OFF_ARGS));
        p.add(SockFilter.jumpIfAnySet(CLONE_THREAD, 1, 0));
        p.add(SockFilter.ret(deny));
        p.add(SockFilter.ret(Seccomp.SECCOMP_RET_ALLOW));
        return p;
    }

    /** Installs {@link #program()} on the calling thread; returns 0 or the errno of the failure. */
    public static int installOnThisThread() {
        return Seccomp.installOnThisThread(program());
    }
}
