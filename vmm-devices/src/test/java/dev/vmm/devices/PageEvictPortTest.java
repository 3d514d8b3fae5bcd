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
}
