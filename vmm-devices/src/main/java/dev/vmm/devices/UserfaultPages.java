package dev.vmm.devices;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.vmm.host.LibC;
import dev.vmm.host.Userfaultfd;

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
 */
final class UserfaultPages {
    private static final long PAGE = 4096;

    private final Userfaultfd uffd;
    /** Saved contents by host page address, until the page's fault is served. */
    private final Map<Long, Memory> away = new ConcurrentHashMap<>();

    UserfaultPages() {
        uffd = Userfaultfd.open();
        Thread t = new Thread(this::serve, "vmm-userfault");
        t.setDaemon(true); // blocked in read(2) for the life of the process
        t.start();
    }

    /** Saves and drops the page at {@code host}; false if the kernel refused a step. */
    boolean takeAway(long host) {
        Memory copy = new Memory(PAGE);
        copy.write(0, new Pointer(host).getByteArray(0, (int) PAGE), 0, (int) PAGE);
        if (!uffd.registerMissing(host, PAGE)) {
            return false;
        }
        away.put(host, copy);
        return LibC.madvise(host, PAGE, LibC.MADV_DONTNEED) == 0;
    }

    private void serve() {
        byte[] msg = new byte[Userfaultfd.SIZEOF_UFFD_MSG];
        try {
            while (true) {
                long address = uffd.awaitPageFault(msg);
                if (address < 0) {
                    continue;
                }
                long page = address & ~(PAGE - 1);
                Memory saved = away.remove(page);
                uffd.copy(page, Pointer.nativeValue(saved != null ? saved : new Memory(PAGE)), PAGE);
                uffd.unregister(page, PAGE);
            }
        } catch (IllegalStateException e) {
            // The descriptor can no longer be read: nothing more to serve.
        }
    }
}
