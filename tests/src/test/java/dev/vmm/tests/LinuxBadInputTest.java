package dev.vmm.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Bad Linux kernels, initrds, command lines and initramfs sources: one line on stderr, non-zero status. */
class LinuxBadInputTest {
    @TempDir
    Path tmp;

    private static void assertOneLineError(VmmProcess r, String expectedFragment) {
        r.assertOneLineError(expectedFragment);
    }

    /** A synthetic bzImage header (4 setup sectors) with {@code pm} bytes of protected-mode code. */
    static byte[] bzImage(int version, int pm) {
        byte[] img = new byte[5 * 512 + pm];
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        img[0x1f1] = 4;
        b.putInt(0x1f4, (pm + 15) / 16);
        b.putShort(0x1fe, (short) 0xAA55);
        img[0x201] = 0x66;
        b.putInt(0x202, 0x53726448);
        b.putShort(0x206, (short) version);
        b.putInt(0x22c, 0x7fffffff);
        b.putShort(0x236, (short) 1);
        b.putInt(0x238, 0x7ff);
        b.putLong(0x258, 0x1000000);
        b.putInt(0x260, 0x1000000);
        return img;
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(tmp.resolve(name), data);
    }

    @Test
    void truncatedBzImage() throws IOException {
        Path k = write("bz", Arrays.copyOf(bzImage(0x020f, 1 << 20), 5 * 512 + 4096));
        assertOneLineError(VmmProcess.run("run", "--kernel", k.toString()), "truncated bzImage");
    }

    @Test
    void protocolTooOld() throws IOException {
        Path k = write("bz", bzImage(0x020b, 4096));
        assertOneLineError(VmmProcess.run("run", "--kernel", k.toString()), "boot protocol 2.11 is too old");
    }

    @Test
    void initrdTooLarge() throws IOException {
        Path k = write("bz", bzImage(0x020f, 4096));
        Path initrd = write("initrd", new byte[48 << 20]);
        assertOneLineError(VmmProcess.run("run", "--kernel", k.toString(), "--initrd", initrd.toString(), "-m", "64M"),
                "does not fit");
    }

    @Test
    void commandLineLongerThanCmdlineSize() throws IOException {
        Path k = write("bz", bzImage(0x020f, 4096));
        assertOneLineError(VmmProcess.run("run", "--kernel", k.toString(), "--append", "x".repeat(3000)),
                "command line is too long (3000 bytes, the kernel accepts at most 2047)");
    }

    @Test
    void missingInitrd() throws IOException {
        Path k = write("bz", bzImage(0x020f, 4096));
        assertOneLineError(VmmProcess.run("run", "--kernel", k.toString(), "--initrd", tmp.resolve("nope").toString()),
                "does not exist");
    }

    @Test
    void initramfsSourceMissing() {
        assertOneLineError(VmmProcess.run("initramfs", "--out", tmp.resolve("out.cpio").toString(),
                tmp.resolve("missing-dir").toString()), "does not exist");
        assertFalse(Files.exists(tmp.resolve("out.cpio")));
    }

    @Test
    void initramfsUnknownCompression() throws IOException {
        Path init = write("init", "#!/bin/sh\n".getBytes());
        assertOneLineError(VmmProcess.run("initramfs", "--out", tmp.resolve("out.cpio").toString(),
                "--compress", "lz4", init + ":/init"),
                "Invalid value for option '--compress': expected one of [gzip, xz, zstd, none] (case-sensitive) but was 'lz4'");
        assertFalse(Files.exists(tmp.resolve("out.cpio")));
    }

    @Test
    void initramfsWithoutInit() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(dir.resolve("hello"), "hi");
        assertOneLineError(VmmProcess.run("initramfs", "--out", tmp.resolve("out.cpio").toString(), dir.toString()),
                "no /init");
    }
}
