package dev.vmm.host;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few libc functions the VMM needs, with the constants they take, bound with JNA <em>direct
 * mapping</em> ({@link Native#register}). KVM's ioctls go through here too, but nothing here is
 * about KVM. HostConstantsTest checks every constant against the C headers. Each call is a plain JNI native method, so the hot path
 * ({@code ioctl(fd, KVM_RUN, 0)}) does no reflection and allocates nothing.
 *
 * <p>Calls report failure the C way (return -1); the caller reads errno with
 * {@link Native#getLastError()}, which JNA saves per thread right after every native call.
 * Addresses are passed as {@code long} so that no {@link Pointer} objects are created.
 */
public final class LibC {
    static {
        Native.register("c");
    }

    private LibC() {}

    public static final int O_RDWR = 2;
    public static final int O_CLOEXEC = 0x80000;

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    /** mmap's error return, {@code (void *) -1}. */
    public static final long MAP_FAILED = -1L;

    public static final int MADV_DONTNEED = 4;
    public static final int MS_SYNC = 4;
    public static final int POSIX_FADV_DONTNEED = 4;
    public static final int MADV_MERGEABLE = 12;
    public static final int MADV_HUGEPAGE = 14;

    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;

    public static final int SIG_BLOCK = 0;
    public static final int SIG_UNBLOCK = 1;
    public static final int SIG_SETMASK = 2;
    /** glibc's sigset_t is 1024 bits; the kernel only looks at the first 64. */
    public static final int SIGSET_T_SIZE = 128;

    /** x86-64 syscall numbers used through {@link #syscall}. */
    public static final long SYS_GETTID = 186;
    public static final long SYS_TGKILL = 234;
    public static final long SYS_USERFAULTFD = 323;

    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int E2BIG = 7;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;

    public static native int open(String path, int flags);

    public static native int close(int fd);

    /** read(2) into a Java array (blocking unless the fd is non-blocking). */
    public static native long read(int fd, byte[] buf, long count);

    /** pread(2): reads {@code count} bytes at {@code offset} of {@code fd} into {@code buf}. */
    public static native long pread(int fd, byte[] buf, long count, long offset);

    /** ioctl with an integer argument (or none: pass 0). */
    public static native int ioctl(int fd, long request, long arg);

    /** ioctl with a pointer to a struct. */
    public static native int ioctl(int fd, long request, Pointer arg);

    public static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    public static native int munmap(long addr, long length);

    public static native int madvise(long addr, long length, int advice);

    /** msync(2): writes dirty pages of a shared file mapping back to the file. */
    public static native int msync(long addr, long length, int flags);

    /** mincore(2): one byte per page at {@code vec}, bit 0 set when the page is in memory. */
    public static native int mincore(long addr, long length, byte[] vec);

    /** posix_fadvise(2): returns the error number itself (0 = done), not -1/errno. */
    public static native int posix_fadvise(int fd, long offset, long len, int advice);

    public static native int eventfd(int initval, int flags);

    /** The raw syscall(2) entry: used for gettid and tgkill, which older glibc lacks. */
    public static native long syscall(long number, long a1, long a2, long a3);

    public static native int pthread_sigmask(int how, Pointer set, Pointer oldset);

    /** {@code info} may be null; {@code timeout} points to a struct timespec. */
    public static native int sigtimedwait(Pointer set, Pointer info, Pointer timeout);

    public static native int getpid();

    /**
     * sched_setaffinity(2): {@code pid} 0 is the calling thread, otherwise a thread id (a tid, not
     * only a process id); {@code mask} is a CPU bit set of {@code size} bytes, CPU n = bit n % 8 of
     * byte n / 8 (glibc's cpu_set_t).
     */
    public static native int sched_setaffinity(int pid, long size, byte[] mask);

    /** sched_getaffinity(2): fills {@code mask}; returns 0 (glibc) or -1 (errno). */
    public static native int sched_getaffinity(int pid, long size, byte[] mask);

    /** The CPU the calling thread is running on right now. */
    public static native int sched_getcpu();

    public static native String strerror(int errnum);

    /** prctl(2) with all four arguments (unused ones 0). */
    public static native int prctl(int option, long a2, long a3, long a4, long a5);

    /** Kernel thread id of the calling thread (what tgkill wants). */
    public static int gettid() {
        return (int) syscall(SYS_GETTID, 0, 0, 0);
    }

    /** Sends {@code sig} to one thread of process {@code tgid}; returns 0 or -1 (errno). */
    public static int tgkill(int tgid, int tid, int sig) {
        return (int) syscall(SYS_TGKILL, tgid, tid, sig);
    }

    /** Sets signal {@code sig} (1-based) in a sigset held in native memory. */
    public static void sigaddset(Pointer set, int sig) {
        int bit = sig - 1;
        long off = bit / 8;
        set.setByte(off, (byte) (set.getByte(off) | (1 << (bit % 8))));
    }

    /** Clears signal {@code sig} (1-based) in a sigset held in native memory. */
    public static void sigdelset(Pointer set, int sig) {
        int bit = sig - 1;
        long off = bit / 8;
        set.setByte(off, (byte) (set.getByte(off) & ~(1 << (bit % 8))));
    }

    public static boolean sigismember(Pointer set, int sig) {
        int bit = sig - 1;
        return (set.getByte(bit / 8) & (1 << (bit % 8))) != 0;
    }
}
