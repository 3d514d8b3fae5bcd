package dev.vmm.host;

import com.sun.jna.Memory;
import com.sun.jna.Native;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A userfaultfd(2) file descriptor with the API handshake done: register a range for
 * missing-page faults, read fault messages, answer them by copying a page in. Numbers and
 * layouts from {@code <linux/userfaultfd.h>}, checked against it by HostConstantsTest.
 */
public final class Userfaultfd implements AutoCloseable {
    /** The userfaultfd ioctl "type" byte. */
    public static final int UFFDIO = 0xAA;
    /** struct uffdio_api { u64 api, features, ioctls; } */
    public static final int SIZEOF_UFFDIO_API = 24;
    /** struct uffdio_range { u64 start, len; } */
    public static final int SIZEOF_UFFDIO_RANGE = 16;
    /** struct uffdio_register { struct uffdio_range range; u64 mode, ioctls; } */
    public static final int SIZEOF_UFFDIO_REGISTER = 32;
    /** struct uffdio_copy { u64 dst, src, len, mode; s64 copy; } */
    public static final int SIZEOF_UFFDIO_COPY = 40;
    /** struct uffd_msg: u8 event, reserved, then the 24-byte arg union. */
    public static final int SIZEOF_UFFD_MSG = 32;
    /** uffd_msg.arg.pagefault.address. */
    public static final int OFF_MSG_PAGEFAULT_ADDRESS = 16;

    public static final long UFFDIO_API = IoctlNumber.iowr(UFFDIO, 0x3F, SIZEOF_UFFDIO_API);
    public static final long UFFDIO_REGISTER = IoctlNumber.iowr(UFFDIO, 0x00, SIZEOF_UFFDIO_REGISTER);
    public static final long UFFDIO_UNREGISTER = IoctlNumber.ior(UFFDIO, 0x01, SIZEOF_UFFDIO_RANGE);
    public static final long UFFDIO_COPY = IoctlNumber.iowr(UFFDIO, 0x03, SIZEOF_UFFDIO_COPY);
    public static final long UFFD_API = 0xAA;
    public static final long UFFDIO_REGISTER_MODE_MISSING = 1;
    public static final int UFFD_EVENT_PAGEFAULT = 0x12;
    /** O_NONBLOCK for userfaultfd(2)'s flags: poll(2) on a blocking userfaultfd always answers POLLERR. */
    public static final int O_NONBLOCK = 0x800;
    /** What {@link #readPageFault} returns for an event that is not a page fault. */
    public static final long OTHER_EVENT = -1;
    /** What {@link #readPageFault} returns when no message was waiting (non-blocking descriptor). */
    public static final long NO_MESSAGE = -2;

    private final int fd;

    private Userfaultfd(int fd) {
        this.fd = fd;
    }

    /**
     * Opens a userfaultfd (close-on-exec) and agrees on the API. Throws with errno's name when the
     * kernel refuses (e.g. EPERM with {@code vm.unprivileged_userfaultfd=0} for a non-root user).
     */
    public static Userfaultfd open() {
        return open(0);
    }

    /** As {@link #open()}, with a non-blocking descriptor (to be waited on with poll(2)). */
    public static Userfaultfd openNonBlocking() {
        return open(O_NONBLOCK);
    }

    private static Userfaultfd open(int extraFlags) {
        int fd = (int) LibC.syscall(LibC.SYS_USERFAULTFD, LibC.O_CLOEXEC | extraFlags, 0, 0);
        if (fd < 0) {
            throw new IllegalStateException("userfaultfd: " + Errno.describe(Native.getLastError()));
        }
        Memory api = new Memory(SIZEOF_UFFDIO_API);
        api.clear();
        api.setLong(0, UFFD_API);
        if (LibC.ioctl(fd, UFFDIO_API, api) != 0) {
            int err = Native.getLastError();
            LibC.close(fd);
            throw new IllegalStateException("UFFDIO_API: " + Errno.describe(err));
        }
        return new Userfaultfd(fd);
    }

    /** UFFDIO_REGISTER of {@code [start, start + len)} for missing-page faults; false if refused. */
    public boolean registerMissing(long start, long len) {
        return ioctl(UFFDIO_REGISTER, SIZEOF_UFFDIO_REGISTER, start, len, UFFDIO_REGISTER_MODE_MISSING);
    }

    /** UFFDIO_UNREGISTER; false if refused. */
    public boolean unregister(long start, long len) {
        return ioctl(UFFDIO_UNREGISTER, SIZEOF_UFFDIO_RANGE, start, len);
    }

    /**
     * UFFDIO_COPY: fills {@code [dst, dst + len)} from host address {@code src} and wakes every
     * thread waiting on it; false if refused.
     */
    public boolean copy(long dst, long src, long len) {
        return ioctl(UFFDIO_COPY, SIZEOF_UFFDIO_COPY, dst, src, len);
    }

    /** An ioctl on a zeroed struct of {@code size} bytes whose leading u64 fields are {@code fields}. */
    private boolean ioctl(long request, int size, long... fields) {
        Memory struct = new Memory(size);
        struct.clear();
        for (int i = 0; i < fields.length; i++) {
            struct.setLong(8L * i, fields[i]);
        }
        return LibC.ioctl(fd, request, struct) == 0;
    }

    /**
     * Blocks for the next message: the faulting address of a page fault, {@code -1} for any
     * other event. Throws {@link IllegalStateException} when the descriptor cannot be read
     * (closed, or an error).
     */
    public long awaitPageFault(byte[] buffer) {
        long address = readPageFault(buffer);
        if (address == NO_MESSAGE) {
            throw new IllegalStateException("userfaultfd read: no message on a non-blocking descriptor");
        }
        return address;
    }

    /**
     * Reads the next message: the faulting address of a page fault, {@link #OTHER_EVENT} for any
     * other event, {@link #NO_MESSAGE} when a non-blocking descriptor had none (EAGAIN) or the read
     * was interrupted. Throws {@link IllegalStateException} when the descriptor cannot be read.
     */
    public long readPageFault(byte[] buffer) {
        if (buffer.length < SIZEOF_UFFD_MSG) {
            throw new IllegalArgumentException("uffd_msg needs " + SIZEOF_UFFD_MSG + " bytes");
        }
        if (LibC.read(fd, buffer, SIZEOF_UFFD_MSG) != SIZEOF_UFFD_MSG) {
            int err = Native.getLastError();
            if (err == LibC.EAGAIN || err == LibC.EINTR) {
                return NO_MESSAGE;
            }
            throw new IllegalStateException("userfaultfd read: " + Errno.describe(err));
        }
        ByteBuffer b = ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN);
        return (b.get(0) & 0xff) == UFFD_EVENT_PAGEFAULT ? b.getLong(OFF_MSG_PAGEFAULT_ADDRESS) : OTHER_EVENT;
    }

    /** The descriptor, for poll(2). */
    public int fd() {
        return fd;
    }

    @Override
    public void close() {
        LibC.close(fd);
    }
}
