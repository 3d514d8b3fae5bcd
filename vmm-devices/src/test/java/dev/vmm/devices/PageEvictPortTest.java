package dev.vmm.devices;

import dev.vmm.memory.GuestMemory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PageEvictPortTest {
    @Test
    void evictsOnePageAndTheDataComesBack() throws IOException {
        // the build directory, on the project's disk: a tmpfs page could never leave memory
        Path dir = Files.createDirectories(Path.of("target", "evict-test"));
        try (GuestMemory m = GuestMemory.createFileBacked(1 << 20, dir)) {
            PageEvictPort port = new PageEvictPort(m);
            assertEquals(PageEvictPort.NONE, port.read(PageEvictPort.PORT, 4), "nothing evicted yet");
            m.writeU64(0x5000, 0x0123456789abcdefL);
            port.write(PageEvictPort.PORT, 4, 0x5);
            int r = port.read(PageEvictPort.PORT, 4);
            assertNotEquals(PageEvictPort.FAILED, r, "msync/madvise/fadvise/mincore work on a file mapping");
            assumeTrue(r == PageEvictPort.EVICTED, "this filesystem kept the page in memory");
            assertEquals(0x0123456789abcdefL, m.readU64(0x5000), "read back from the file");
            assertEquals(PageEvictPort.STILL_RESIDENT, port.read(PageEvictPort.PORT, 4),
                    "a read of the port looks again: the page is back");
            port.write(PageEvictPort.PORT, 4, 0x100); // gfn 0x100 = 1 MiB: past the RAM
            assertEquals(PageEvictPort.FAILED, port.read(PageEvictPort.PORT, 4), "not RAM");
        }
    }

    @Test
    void anonymousRamPageIsTakenAwayAndServedBack() {
        try (GuestMemory m = GuestMemory.create(1 << 20)) {
            PageEvictPort port;
            try {
                port = new PageEvictPort(m);
            } catch (IllegalStateException e) {
                assumeTrue(false, "no userfaultfd here: " + e.getMessage());
                return;
            }
            m.writeU64(0x3000, 0x1122334455667788L);
            port.write(PageEvictPort.PORT, 4, 0x3);
            assertEquals(PageEvictPort.EVICTED, port.read(PageEvictPort.PORT, 4), "MADV_DONTNEED dropped it");
            // this thread's own fault blocks until the userfault thread copies the page back
            assertEquals(0x1122334455667788L, m.readU64(0x3000));
            assertEquals(PageEvictPort.STILL_RESIDENT, port.read(PageEvictPort.PORT, 4));
        }
    }

    private static PageEvictPort anonymousPort(GuestMemory m) {
        try {
            return new PageEvictPort(m);
        } catch (IllegalStateException e) {
            assumeTrue(false, "no userfaultfd here: " + e.getMessage());
            return null;
        }
    }

    private static long mapCount() throws java.io.IOException {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/self/maps"))) {
            return lines.count();
        }
    }

    /** Issue 14: a guest evicting every other page split the mapping until vm.max_map_count. */
    @Test
    void pagesAwayAreBoundedSoTheGuestCannotExhaustTheHostsMappings() throws Exception {
        try (GuestMemory m = GuestMemory.create(64L << 20)) {
            PageEvictPort port = anonymousPort(m);
            try {
                long before = mapCount();
                int evicted = 0;
                int refused = 0;
                for (int gfn = 0; gfn < (64 << 20) / 4096; gfn += 2) {
                    port.write(PageEvictPort.PORT, 4, gfn);
                    int r = port.read(PageEvictPort.PORT, 4);
                    if (r == PageEvictPort.EVICTED) evicted++;
                    else if (r == PageEvictPort.REFUSED) refused++;
                    else fail("gfn " + gfn + ": status " + r);
                }
                assertEquals(UserfaultPages.MAX_AWAY, evicted, "pages away up to the budget");
                assertEquals((64 << 20) / 4096 / 2 - UserfaultPages.MAX_AWAY, refused, "the rest refused");
                long growth = mapCount() - before;
                assertTrue(growth <= 2L * UserfaultPages.MAX_AWAY + 8, "mappings grew by " + growth);
                // touching a page that is away gives its slot back to the guest
                m.readU64(0);
                port.write(PageEvictPort.PORT, 4, 1);
                assertEquals(PageEvictPort.EVICTED, port.read(PageEvictPort.PORT, 4), "room again after a touch");
            } finally {
                port.close();
            }
        }
    }

    private static long userfaultThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("vmm-userfault")).count();
    }

    private static long openDescriptors() {
        String[] fds = new java.io.File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** Issue 14: every port left a userfaultfd descriptor and a thread behind after close(). */
    @Test
    void closeReleasesTheDescriptorAndTheThread() throws Exception {
        try (GuestMemory m = GuestMemory.create(1 << 20)) {
            long threads = userfaultThreads();
            long fds = openDescriptors();
            for (int i = 0; i < 5; i++) {
                PageEvictPort port = anonymousPort(m);
                port.write(PageEvictPort.PORT, 4, 3);
                assertEquals(PageEvictPort.EVICTED, port.read(PageEvictPort.PORT, 4));
                m.readU64(0x3000); // served back by the port's thread
                port.close();
            }
            assertEquals(threads, userfaultThreads(), "userfault threads left running");
            assertEquals(fds, openDescriptors(), "descriptors left open");
        }
    }
}
