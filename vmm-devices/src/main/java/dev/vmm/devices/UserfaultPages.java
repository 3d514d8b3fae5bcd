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

    private static final long PAGE = 4096;

    private final Userfaultfd uffd;
    private final WakeablePoll poll;
    private final Thread server;
    /** Saved contents by host page address, until the page's fault is served. */
    private final Map<Long, Memory> away = new ConcurrentHashMap<>();
    private boolean closed;

    UserfaultPages() {
        uffd = Userfaultfd.openNonBlocking(); // waited on with poll(2), so that close() can wake the thread
        poll = new WakeablePoll(uffd.fd());
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
        if (!uffd.registerMissing(host, PAGE)) {
            return false;
        }
        away.put(host, copy);
        return LibC.madvise(host, PAGE, LibC.MADV_DONTNEED) == 0;
    }

    private void serve() {
        byte[] msg = new byte[Userfaultfd.SIZEOF_UFFD_MSG];
        while (poll.awaitReadable()) {
            long address;
            try {
                address = uffd.readPageFault(msg);
            } catch (IllegalStateException e) {
                return; // the descriptor can no longer be read: nothing more to serve
            }
            if (address < 0) {
                continue; // another wake-up took the message, or not a page fault
            }
            long page = address & ~(PAGE - 1);
            Memory saved = away.remove(page);
            uffd.copy(page, Pointer.nativeValue(saved != null ? saved : new Memory(PAGE)), PAGE); // wakes every waiter
            uffd.unregister(page, PAGE);
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
        uffd.close();
        away.clear();
    }
}
