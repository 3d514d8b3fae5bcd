package dev.vmm.tests;

import dev.vmm.boot.ElfFile;
import dev.vmm.boot.PvhLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** {@code vmm extract-vmlinux} on Debian's cloud kernel and on bad inputs (one line on stderr). */
class ExtractVmlinuxTest {
    @TempDir
    Path tmp;

    private static void assertOneLineError(VmmProcess r, String expectedFragment) {
        r.assertOneLineError(expectedFragment);
    }

    @Test
    void debianCloudKernelExtractsToElf64WithPvhNote() throws Exception {
        Path bz = DebianKernel.bzImage();
        Path out = tmp.resolve("vmlinux");
        VmmProcess r = VmmProcess.run("extract-vmlinux", "--out", out.toString(), bz.toString());
        assertEquals(0, r.status(), r.toString());
        assertEquals("", r.stderr(), r.toString());
        ElfFile elf = ElfFile.parse("vmlinux", Files.readAllBytes(out));
        assertTrue(elf.is64());
        assertEquals(ElfFile.EM_X86_64, elf.machine());
        assertTrue(PvhLoader.phys32Entry(elf).isPresent(), "no PVH (Xen PHYS32_ENTRY) note");
        assertFalse(elf.loadSegments().isEmpty());
    }

    @Test
    void randomFile() throws IOException {
        byte[] junk = new byte[64 << 10];
        new Random(7).nextBytes(junk);
        Path f = Files.write(tmp.resolve("junk"), junk);
        Path out = tmp.resolve("vmlinux");
        assertOneLineError(VmmProcess.run("extract-vmlinux", "--out", out.toString(), f.toString()), "not a bzImage");
        assertFalse(Files.exists(out));
    }

    @Test
    void truncatedPayload() throws Exception {
        byte[] bz = Files.readAllBytes(DebianKernel.bzImage());
        Path f = Files.write(tmp.resolve("bz"), Arrays.copyOf(bz, bz.length / 3));
        Path out = tmp.resolve("vmlinux");
        assertOneLineError(VmmProcess.run("extract-vmlinux", "--out", out.toString(), f.toString()), "truncated payload");
        assertFalse(Files.exists(out));
    }

    @Test
    void missingFile() {
        assertOneLineError(VmmProcess.run("extract-vmlinux", "--out", tmp.resolve("v").toString(),
                tmp.resolve("nope").toString()), "no such file");
    }
}
