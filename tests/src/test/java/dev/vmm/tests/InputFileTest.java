package dev.vmm.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 14: input files are checked for type and size before a byte is read. Before, a FIFO as
 * --kernel hung past --timeout, and /dev/zero, a 1 GB sparse kernel or a 300 MB initrd ended in
 * OutOfMemoryError stack traces (the launcher's heap is 256 MiB).
 */
class InputFileTest {
    @TempDir
    Path tmp;

    private static String kernel() {
        return RequiresKvm.testKernel().toString();
    }

    private Path sparse(String name, long size) throws IOException {
        Path p = tmp.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    @Test
    void fifoAsKernelIsRefusedAtOnce() throws Exception {
        Path fifo = tmp.resolve("kernel.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        VmmProcess.runFor(30, "run", "--kernel", fifo.toString(), "--timeout", "5").assertOneLineError("is a FIFO");
    }

    @Test
    void fifoAsInitrdIsRefusedAtOnce() throws Exception {
        Path fifo = tmp.resolve("initrd.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        VmmProcess.runFor(30, "run", "--kernel", kernel(), "--initrd", fifo.toString(), "--timeout", "5")
                .assertOneLineError("initrd");
    }

    @Test
    void devZeroAsKernelIsRefused() {
        VmmProcess.run("run", "--kernel", "/dev/zero").assertOneLineError("is a character device");
    }

    @Test
    void sparseGigabyteKernelIsRefusedWithoutReadingIt() throws IOException {
        VmmProcess.run("run", "--kernel", sparse("big.elf", 1L << 30).toString(), "-m", "2G")
                .assertOneLineError("vmm reads kernels up to");
    }

    @Test
    void initrdLargerThanRamIsRefused() throws IOException {
        VmmProcess.run("run", "--kernel", kernel(), "--initrd", sparse("big.img", 300L << 20).toString(), "-m", "128M")
                .assertOneLineError("more than the guest's RAM");
    }

    /** A 300 MB initrd goes from the file into guest RAM: no 300 MB heap needed (the launcher has 256 MiB). */
    @Test
    void initrdOfThreeHundredMegabytesBoots() throws IOException {
        RequiresKvm.check();
        VmmProcess r = VmmProcess.run("run", "--kernel", kernel(), "--initrd", sparse("initrd.img", 300L << 20).toString(),
                "-m", "512M", "--timeout", "60");
        assertEquals(0, r.status(), r.toString());
        assertEquals("", r.stderr(), r.toString());
    }
}
