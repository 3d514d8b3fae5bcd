package dev.vmm.devices;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.vmm.kvm.Errno;
import dev.vmm.kvm.LibC;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Takes pages of anonymous guest RAM away and gives them back on the first touch, with
 * userfaultfd(2), the way post-copy live migration fetches pages: {@link #takeAway} saves the
 * page, registers it for missing-page faults and drops it ({@code MADV_DONTNEED}); a service
 * thread answers the fault with {@code UFFDIO_COPY} of the saved bytes.
 *
 * <p>For KVM this is a page whose fetch must wait: its non-blocking lookup (GUP with FOLL_NOWAIT)
 * gets VM_FAULT_RETRY from the userfault handler at once, so it starts an asynchronous page
 * fault, and its worker's blocking lookup then waits for this thread. Unlike dropping a file page
 * from the page cache, where the read sometimes completes before KVM looks, that is
 * deterministic.
 *
 * <p>The guest decides how many pages are away, so that number is bounded ({@link #MAX_AWAY}):
 * every registered page is a VMA split in this process, and a guest that took away every other
 * page would otherwise reach {@code vm.max_map_count} and leave the JVM unable to map anything.
 * {@link #close()} ends the service thread and closes the descriptor (the kernel then unregisters
 * every range; a page still away reads as zeros).
 */
final class UserfaultPages implements AutoCloseable {
    /**
     * Pages away at once, at most: each costs up to two VMAs (about 2,000 of the default
     * vm.max_map_count of 65,530) and 4 KiB of saved contents. The test kernel needs one.
     */
    static final int MAX_AWAY = 1024;

    // linux/userfaultfd.h: _IOWR(0xAA, nr, size) and _IOR(0xAA, 0x01, 16)
    private static final long UFFDIO_API = iowr(0x3F, 24);
    private static final long UFFDIO_REGISTER = iowr(0x00, 32);
    private static final long UFFDIO_UNREGISTER = (2L << 30) | (16L << 16) | (0xAAL << 8) | 0x01;
    private static final long UFFDIO_COPY = iowr(0x03, 40);
    private static final long UFFD_API = 0xAA;
    private static final long UFFDIO_REGISTER_MODE_MISSING = 1;
    private static final int UFFD_EVENT_PAGEFAULT = 0x12;
    private static final int MSG_SIZE = 32;
    private static final long PAGE = 4096;
    private static final int O_NONBLOCK = 0x800;

    private final int fd;
    private final WakeablePoll poll;
    private final Thread server;
    /** Saved contents by host page address, until the page's fault is served. */
    private final Map<Long, Memory> away = new ConcurrentHashMap<>();

    private static long iowr(int nr, int size) {
        return (3L << 30) | ((long) size << 16) | (0xAAL << 8) | nr;
    }

    UserfaultPages() {
        // non-blocking: poll(2) on a blocking userfaultfd always answers POLLERR
        fd = (int) LibC.syscall(LibC.SYS_USERFAULTFD, LibC.O_CLOEXEC | O_NONBLOCK, 0, 0);
        if (fd < 0) {
            throw new IllegalStateException("userfaultfd: " + Errno.describe(Native.getLastError()));
        }
        Memory api = new Memory(24);
        api.clear();
        api.setLong(0, UFFD_API);
        if (LibC.ioctl(fd, UFFDIO_API, api) != 0) {
            int err = Native.getLastError();
            LibC.close(fd);
            throw new IllegalStateException("UFFDIO_API: " + Errno.describe(err));
        }
        poll = new WakeablePoll(fd);
        server = new Thread(this::serve, "vmm-userfault");
        server.setDaemon(true); // a guest blocked on a page must not keep the JVM alive either
        server.start();
    }

    /** Whether another page may be taken away now ({@link #MAX_AWAY} not reached). */
    boolean hasRoom() {
        return away.size() < MAX_AWAY;
    }

    /** Saves and drops the page at {@code host}; false if the kernel refused a step or no room is left. */
    boolean takeAway(long host) {
        if (!hasRoom()) {
            return false;
        }
        Memory copy = new Memory(PAGE);
        copy.write(0, new Pointer(host).getByteArray(0, (int) PAGE), 0, (int) PAGE);
        Memory reg = new Memory(32);
        reg.clear();
        reg.setLong(0, host);
        reg.setLong(8, PAGE);
        reg.setLong(16, UFFDIO_REGISTER_MODE_MISSING);
        if (LibC.ioctl(fd, UFFDIO_REGISTER, reg) != 0) {
            return false;
        }
        away.put(host, copy);
        return LibC.madvise(host, PAGE, LibC.MADV_DONTNEED) == 0;
    }

    private void serve() {
        byte[] msg = new byte[MSG_SIZE];
        while (poll.awaitReadable()) {
            if (LibC.read(fd, msg, MSG_SIZE) != MSG_SIZE) {
                int err = Native.getLastError();
                if (err == LibC.EAGAIN || err == LibC.EINTR) continue; // another wake-up took it
                return;
            }
            ByteBuffer b = ByteBuffer.wrap(msg).order(ByteOrder.LITTLE_ENDIAN);
            if ((b.get(0) & 0xff) != UFFD_EVENT_PAGEFAULT) {
                continue;
            }
            long page = b.getLong(16) & ~(PAGE - 1); // uffd_msg.arg.pagefault.address
            Memory saved = away.remove(page);
            Memory copy = new Memory(40);
            copy.clear();
            copy.setLong(0, page);
            copy.setLong(8, Pointer.nativeValue(saved != null ? saved : new Memory(PAGE)));
            copy.setLong(16, PAGE);
            LibC.ioctl(fd, UFFDIO_COPY, copy); // wakes every thread waiting on the page
            Memory range = new Memory(16);
            range.setLong(0, page);
            range.setLong(8, PAGE);
            LibC.ioctl(fd, UFFDIO_UNREGISTER, range);
        }
    }

    /** Stops the service thread, then closes the descriptor; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        poll.wake();
        try {
            server.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed = true;
        poll.close();
        LibC.close(fd);
        away.clear();
    }

    private boolean closed;
}
