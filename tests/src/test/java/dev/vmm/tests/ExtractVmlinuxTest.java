package dev.vmm.tests;

import dev.vmm.boot.ElfFile;
import dev.vmm.boot.PvhLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

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

    /** A bzImage header (protocol 2.15, 4 setup sectors) with {@code payload} at the protected-mode code. */
    static byte[] bzImage(byte[] payload) {
        byte[] img = new byte[5 * 512 + payload.length];
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        img[0x1f1] = 4;
        b.putShort(0x1fe, (short) 0xAA55);
        b.putInt(0x202, 0x53726448);
        b.putShort(0x206, (short) 0x020f);
        b.putInt(0x248, 0);
        b.putInt(0x24c, payload.length);
        System.arraycopy(payload, 0, img, 5 * 512, payload.length);
        return img;
    }

    /** Like the kernel build: one zstd frame with a checksum, then the uncompressed size (size_append). */
    static byte[] zstdPayload(byte[] data) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream z = new ZstdCompressorOutputStream(bo, 19, false, true)) {
            z.write(data);
        }
        bo.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(data.length).array());
        return bo.toByteArray();
    }

    /** Debian's kernels are not zstd-compressed: a synthetic bzImage shows the launcher's zstd path. */
    @Test
    void zstdPayload() throws IOException {
        byte[] elf = new byte[1 << 20];
        new Random(5).nextBytes(elf);
        Arrays.fill(elf, 4096, elf.length / 2, (byte) 0x90);
        System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}, 0, elf, 0, 7);
        Path bz = Files.write(tmp.resolve("bzImage"), bzImage(zstdPayload(elf)));
        Path out = tmp.resolve("vmlinux");
        VmmProcess r = VmmProcess.run("extract-vmlinux", "--out", out.toString(), bz.toString());
        assertEquals(0, r.status(), r.toString());
        assertEquals("", r.stderr(), r.toString());
        assertArrayEquals(elf, Files.readAllBytes(out));
    }

    @Test
    void truncatedZstdPayload() throws IOException {
        byte[] elf = new byte[1 << 20];
        new Random(6).nextBytes(elf);
        byte[] z = zstdPayload(elf);
        Path bz = Files.write(tmp.resolve("bzImage"), bzImage(Arrays.copyOf(z, z.length / 2)));
        Path out = tmp.resolve("vmlinux");
        assertOneLineError(VmmProcess.run("extract-vmlinux", "--out", out.toString(), bz.toString()),
                "truncated payload (zstd stream ends early)");
        assertFalse(Files.exists(out));
    }

    @Test
    void missingFile() {
        assertOneLineError(VmmProcess.run("extract-vmlinux", "--out", tmp.resolve("v").toString(),
                tmp.resolve("nope").toString()), "no such file");
    }
}
