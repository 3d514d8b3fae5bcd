package dev.vmm.devices;

import dev.vmm.platform.PlatformLayout;
import dev.vmm.bus.PioDevice;
import dev.vmm.host.LibC;
import dev.vmm.memory.GuestMemory;

/**
 * A test device: the guest names one of its pages and the host takes it out of memory, so that
 * the guest's next touch of that page has to wait. That is the situation KVM's asynchronous page
 * faults exist for. With anonymous RAM the page is taken away with userfaultfd and given back by
 * the VMM on the first touch ({@link UserfaultPages}); with file-backed RAM ({@code --mem-path})
 * it is dropped from the page cache and read back from the disk:
 *
 * <p>{@code outl(PORT, gpa >> 12)} evicts the page: {@code msync(MS_SYNC)} writes it to the file
 * (a dirty page cannot be dropped), {@code madvise(MADV_DONTNEED)} removes this process's mapping
 * of it (which also makes KVM's MMU notifier zap its own mapping of the guest page), and
 * {@code posix_fadvise(POSIX_FADV_DONTNEED)} drops the now unmapped, clean page from the page
 * cache. {@code inl(PORT)} then reads the result, from a {@code mincore} done at that read (so a
 * later read tells whether the page has come back since): {@link #EVICTED} (not in memory),
 * {@link #STILL_RESIDENT}, or {@link #FAILED} (not RAM, or a call failed). The contents are not
 * lost: they are in the file and come back on the next access.
 *
 * <p>With anonymous RAM at most {@link UserfaultPages#MAX_AWAY} pages can be away at once (each
 * one splits the VMM's mapping); a write beyond that reads back {@link #REFUSED} and changes
 * nothing, until the guest touches a page that is away. {@link #close()} ends the userfault thread.
 */
public final class PageEvictPort implements PioDevice, AutoCloseable {
    public static final int PORT = PlatformLayout.PAGE_EVICT_PORT;
    public static final int SIZE = PlatformLayout.PAGE_EVICT_SIZE;
    public static final int NONE = 0;
    public static final int EVICTED = 1;
    public static final int STILL_RESIDENT = 2;
    public static final int FAILED = 3;
    /** The guest has {@link UserfaultPages#MAX_AWAY} pages away already: touch one before evicting more. */
    public static final int REFUSED = 4;

    private final GuestMemory memory;
    private final UserfaultPages userfault; // anonymous RAM; null for file-backed RAM
    private volatile int result = NONE;
    private volatile long lastHost; // host address of the page last evicted, 0 = none

    public PageEvictPort(GuestMemory memory) {
        this.memory = memory;
        this.userfault = memory.backingFd() < 0 ? new UserfaultPages() : null;
    }

    @Override
    public int read(int port, int size) {
        return result == EVICTED || result == STILL_RESIDENT ? residency(lastHost) : result;
    }

    @Override
    public void write(int port, int size, int value) {
        result = evict((value & 0xffff_ffffL) * GuestMemory.PAGE_SIZE);
    }

    private int evict(long gpa) {
        if (!memory.isRam(gpa, GuestMemory.PAGE_SIZE)) {
            return FAILED;
        }
        long host = memory.hostAddress(gpa, GuestMemory.PAGE_SIZE);
        long page = GuestMemory.PAGE_SIZE;
        if (userfault != null) {
            if (!userfault.hasRoom()) {
                return REFUSED;
            }
            if (!userfault.takeAway(host)) {
                return FAILED;
            }
            lastHost = host;
            return residency(host);
        }
        if (LibC.msync(host, page, LibC.MS_SYNC) != 0
                || LibC.madvise(host, page, LibC.MADV_DONTNEED) != 0
                || LibC.posix_fadvise(memory.backingFd(), memory.fileOffset(gpa), page, LibC.POSIX_FADV_DONTNEED) != 0) {
            return FAILED;
        }
        lastHost = host;
        return residency(host);
    }

    private static int residency(long host) {
        byte[] vec = new byte[1];
        if (LibC.mincore(host, GuestMemory.PAGE_SIZE, vec) != 0) {
            return FAILED;
        }
        return (vec[0] & 1) == 0 ? EVICTED : STILL_RESIDENT;
    }

    @Override
    public void close() {
        if (userfault != null) userfault.close();
    }
}
