package dev.vmm.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 14: --mem-path FILE followed a symlink and turned its target into guest RAM; new files were 0644. */
class RamFileTest {
    @TempDir
    Path tmp;

    @Test
    void aSymlinkAtTheFilePathIsRefusedAndItsTargetLeftAlone() throws Exception {
        Path target = Files.writeString(tmp.resolve("precious.txt"), "do not touch");
        Path link = Files.createSymbolicLink(tmp.resolve("ram"), target);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> GuestMemory.createFileBacked(1 << 20, link).close());
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertEquals("do not touch", Files.readString(target), "the target is unchanged");
    }

    @Test
    void aNewRamFileIsOwnerOnly() throws Exception {
        Path file = tmp.resolve("ram.img");
        try (GuestMemory m = GuestMemory.createFileBacked(1 << 20, file)) {
            m.writeU64(0, 42);
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(1 << 20, Files.size(file));
    }

    @Test
    void aFifoAtTheFilePathIsRefused() throws Exception {
        Path fifo = tmp.resolve("ram.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> GuestMemory.createFileBacked(1 << 20, fifo).close());
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void anExistingLargerFileKeepsItsSizeAndContents() throws Exception {
        Path file = tmp.resolve("ram.img");
        Files.write(file, new byte[2 << 20]);
        try (GuestMemory m = GuestMemory.createFileBacked(1 << 20, file)) {
            m.writeU64(8, 7);
        }
        assertEquals(2 << 20, Files.size(file));
    }
}
