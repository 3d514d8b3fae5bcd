package dev.vmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zstd-jni unpacks its native library into a temporary folder the first time it is used. When that
 * fails, both zstd paths must end with one line and a non-zero status, not a stack trace. A native
 * library loads once per JVM, so each case runs {@code Main} in a fresh JVM whose zstd-jni temporary
 * folder ({@code -DZstdTempFolder}) does not exist.
 */
class ZstdUnavailableTest {
    @TempDir
    Path dir;

    record Result(int status, String stdout, String stderr) {
    }

    private Result runMain(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-DZstdTempFolder=" + dir.resolve("no-such-folder"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the JVM did not finish in 120 s");
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static void assertOneLine(Result r, String expectedStart) {
        assertNotEquals(0, r.status(), r.toString());
        assertEquals("", r.stdout(), r.toString());
        List<String> lines = r.stderr().lines().toList();
        assertEquals(1, lines.size(), r.toString());
        assertTrue(lines.get(0).startsWith(expectedStart), r.toString());
    }

    @Test
    void initramfs() throws Exception {
        Path init = Files.writeString(dir.resolve("init"), "#!/bin/sh\n");
        Path archive = dir.resolve("initrd.zst");
        Result r = runMain("initramfs", "--out", archive.toString(), "--compress", "zstd", init + ":/init");
        assertOneLine(r, "vmm: zstd compression is unavailable: zstd-jni's native library did not load (");
        assertFalse(Files.exists(archive));
        assertFalse(Files.exists(dir.resolve("initrd.zst.tmp")));
    }

    @Test
    void extractVmlinux() throws Exception {
        // A bzImage header (boot protocol 2.15, 4 setup sectors) whose payload starts with the zstd magic.
        byte[] img = new byte[5 * 512 + 4096];
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        img[0x1f1] = 4;
        b.putShort(0x1fe, (short) 0xAA55);
        b.putInt(0x202, 0x53726448);
        b.putShort(0x206, (short) 0x020f);
        b.putInt(0x248, 0);
        b.putInt(0x24c, 64);
        b.putInt(5 * 512, 0xFD2FB528);
        Path bz = Files.write(dir.resolve("bzImage"), img);
        Path vmlinux = dir.resolve("vmlinux");
        Result r = runMain("extract-vmlinux", "--out", vmlinux.toString(), bz.toString());
        assertOneLine(r, "vmm: " + bz + ": zstd payloads need zstd-jni's native library, which did not load (");
        assertFalse(Files.exists(vmlinux));
    }
}
