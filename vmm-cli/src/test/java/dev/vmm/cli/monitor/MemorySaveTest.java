package dev.vmm.cli.monitor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** memsave/pmemsave: the bytes, QEMU's errors, and the files they refuse to write. */
class MemorySaveTest {
    @TempDir
    Path dir;
    private final ArrayGuest guest = new ArrayGuest();

    {
        for (int i = 0; i < guest.ram.length; i++) guest.ram[i] = (byte) (i * 7);
    }

    private String error(int cpu, long addr, long size, String file) {
        return assertThrows(QmpError.class, () -> MemorySave.save(guest, cpu, addr, size, file)).getMessage();
    }

    @Test
    void virtualAndPhysicalSavesHoldTheSameBytes() throws Exception {
        Path v = dir.resolve("v.bin");
        Path p = dir.resolve("p.bin");
        MemorySave.save(guest, 0, ArrayGuest.KERNEL_BASE + 0xff0, 0x2000, v.toString());
        MemorySave.save(guest, -1, 0xff0, 0x2000, p.toString());
        assertArrayEquals(Arrays.copyOfRange(guest.ram, 0xff0, 0x2ff0), Files.readAllBytes(p));
        assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(v));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
    }

    @Test
    void badRangesAreQemusErrorAndLeaveAnExistingFileAlone() throws Exception {
        Path f = Files.writeString(dir.resolve("keep.bin"), "precious");
        assertEquals("Invalid addr 0x0000000000001000/size 16 specified", error(0, 0x1000, 16, f.toString()));
        assertEquals("Invalid addr 0x000000000000fff0/size 32 specified", error(-1, 0xfff0, 32, f.toString()));
        assertEquals("Invalid addr 0xffffffffffffffff/size 1 specified", error(-1, -1, 1, f.toString()));
        assertEquals("Invalid addr 0x0000000000000000/size -1 specified", error(-1, 0, -1, f.toString()));
        assertEquals("precious", Files.readString(f));
    }

    @Test
    void refusesSymlinksFifosDirectoriesAndMissingDirectories() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "untouched");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertEquals("Could not open '" + link + "': it is a symbolic link, which vmm does not write through",
                error(-1, 0, 16, link.toString()));
        assertEquals("untouched", Files.readString(target));
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertEquals("Could not open '" + fifo + "': not a regular file", error(-1, 0, 16, fifo.toString()));
        assertEquals("Could not open '" + dir + "': Is a directory", error(-1, 0, 16, dir.toString()));
        Path missing = dir.resolve("no/such/file");
        assertEquals("Could not open '" + missing + "': No such file or directory", error(-1, 0, 16, missing.toString()));
    }

    @Test
    void anExistingRegularFileIsTruncated() throws Exception {
        Path f = Files.write(dir.resolve("old.bin"), new byte[100]);
        MemorySave.save(guest, -1, 0, 10, f.toString());
        assertArrayEquals(Arrays.copyOf(guest.ram, 10), Files.readAllBytes(f));
    }
}
