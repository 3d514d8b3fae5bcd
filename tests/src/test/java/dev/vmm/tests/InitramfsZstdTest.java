package dev.vmm.tests;

import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code vmm initramfs --compress zstd} through the launcher: the zstd library must be among the jars
 * it runs with. The archive is the repository's busybox init script at /init; the unit test
 * (vmm-cli InitramfsTest) reads archives back header by header, here the frame and the first cpio
 * header are checked. Not booted: on this host's kvm-pvm Linux does not reach /init (README).
 */
class InitramfsZstdTest {
    @TempDir
    Path tmp;

    @Test
    void zstdArchiveOfTheRepositoryInit() throws Exception {
        Path init = Path.of("..", "guest-images", "initramfs", "init").toAbsolutePath().normalize();
        Path out = tmp.resolve("initrd.cpio.zst");
        VmmProcess r = VmmProcess.run("initramfs", "--out", out.toString(), "--compress", "zstd", init + ":/init");
        assertEquals(0, r.status(), r.toString());
        assertEquals("", r.stderr(), r.toString());
        byte[] zst = Files.readAllBytes(out);
        assertArrayEquals(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, Arrays.copyOf(zst, 4),
                "zstd frame magic");
        byte[] cpio;
        try (InputStream in = new ZstdCompressorInputStream(Files.newInputStream(out))) {
            cpio = in.readAllBytes();
        }
        String text = new String(cpio, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("070701"), "newc header first");
        assertTrue(text.contains("init\0"), "an /init member");
        assertTrue(text.contains(Files.readString(init, StandardCharsets.ISO_8859_1)), "/init's contents");
        assertTrue(text.contains("TRAILER!!!\0"), "the cpio trailer");
    }
}
