package dev.vmm.devices;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.vmm.host.Errno;
import dev.vmm.host.LibC;

/**
 * Waits until a file descriptor is readable or another thread calls {@link #wake()}. A service
 * thread blocked in read(2) cannot be stopped by closing its descriptor (Linux does not wake a
 * reader when another thread closes the fd), so device threads wait here instead: poll(2) on the
 * descriptor and on an eventfd that {@link #wake()} makes readable.
 */
final class WakeablePoll implements AutoCloseable {
    static {
        Native.register(WakeablePoll.class, "c");
    }

    private static native int poll(Memory fds, long nfds, int timeoutMillis);

    private static native long write(int fd, byte[] buf, long count);

    private static final short POLLIN = 0x1;
    private static final int POLLFD_SIZE = 8; // struct pollfd { int fd; short events; short revents; }

    private final int fd;
    private final int wakeFd;
    private volatile boolean woken;

    WakeablePoll(int fd) {
        this.fd = fd;
        this.wakeFd = LibC.eventfd(0, LibC.EFD_CLOEXEC);
        if (wakeFd < 0) {
            throw new IllegalStateException("eventfd: " + Errno.describe(Native.getLastError()));
        }
    }

    /** Blocks until {@code fd} is readable (true) or {@link #wake()} was called (false). */
    boolean awaitReadable() {
        Memory fds = new Memory(2L * POLLFD_SIZE);
        while (!woken) {
            fds.clear();
            fds.setInt(0, fd);
            fds.setShort(4, POLLIN);
            fds.setInt(POLLFD_SIZE, wakeFd);
            fds.setShort(POLLFD_SIZE + 4, POLLIN);
            int n = poll(fds, 2, -1);
            if (n < 0 && Native.getLastError() == LibC.EINTR) continue;
            if (n < 0) return false;
            if (fds.getShort(POLLFD_SIZE + 6) != 0) return false;
            if (fds.getShort(6) != 0) return true;
        }
        return false;
    }

    /** Makes every current and later {@link #awaitReadable()} return false. */
    void wake() {
        woken = true;
        byte[] one = new byte[8];
        one[0] = 1;
        write(wakeFd, one, 8);
    }

    @Override
    public void close() {
        LibC.close(wakeFd);
    }
}
