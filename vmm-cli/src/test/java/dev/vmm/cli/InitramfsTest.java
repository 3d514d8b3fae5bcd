package dev.vmm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the archive back by hand: 110-byte newc headers ("070701" + 13 hex fields), names, data. */
class InitramfsTest {
    @TempDir
    Path dir;

    record Header(int ino, int mode, int uid, int gid, int nlink, int size, int rdevMajor, int rdevMinor,
                  String name, byte[] data) {
    }

    static Map<String, Header> parse(byte[] a) {
        Map<String, Header> out = new LinkedHashMap<>();
        int at = 0;
        while (true) {
            String magic = new String(a, at, 6, StandardCharsets.US_ASCII);
            assertEquals("070701", magic);
            int[] f = new int[13];
            for (int i = 0; i < 13; i++) {
                f[i] = (int) Long.parseLong(new String(a, at + 6 + 8 * i, 8, StandardCharsets.US_ASCII), 16);
            }
            int namesize = f[11];
            String name = new String(a, at + 110, namesize - 1, StandardCharsets.UTF_8);
            assertEquals(0, a[at + 110 + namesize - 1], "name is NUL terminated");
            int dataAt = (at + 110 + namesize + 3) & ~3;
            byte[] data = java.util.Arrays.copyOfRange(a, dataAt, dataAt + f[6]);
            at = (dataAt + f[6] + 3) & ~3;
            if (name.equals("TRAILER!!!")) {
                return out;
            }
            // f: ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
            out.put(name, new Header(f[0], f[1], f[2], f[3], f[4], f[6], f[9], f[10], name, data));
        }
    }

    private byte[] build(String... sources) throws IOException {
        return build(Initramfs.Compression.none, sources);
    }

    private byte[] build(Initramfs.Compression compression, String... sources) throws IOException {
        Initramfs fs = new Initramfs();
        for (String s : sources) {
            fs.addSource(s);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        fs.write(bytes, compression);
        return bytes.toByteArray();
    }

    @Test
    void directoryPairsAndDeviceNodes() throws IOException {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path init = Files.writeString(root.resolve("init"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(root.resolve("bin"));
        Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("busybox"));
        Path extra = Files.writeString(dir.resolve("extra.txt"), "hello");
        Files.setPosixFilePermissions(extra, PosixFilePermissions.fromString("rw-r-----"));

        Map<String, Header> h = parse(build(root.toString(), extra + ":/etc/deep/extra.txt"));
        Header i = h.get("init");
        assertEquals(0100755, i.mode());
        assertEquals(0, i.uid());
        assertEquals(0, i.gid());
        assertEquals("#!/bin/sh\n", new String(i.data(), StandardCharsets.UTF_8));
        assertEquals(0120777, h.get("bin/sh").mode());
        assertEquals("busybox", new String(h.get("bin/sh").data(), StandardCharsets.UTF_8));
        assertEquals(040755, h.get("etc").mode());
        assertEquals(040755, h.get("etc/deep").mode());
        assertEquals(0100640, h.get("etc/deep/extra.txt").mode());
        assertEquals(5, h.get("etc/deep/extra.txt").size());
        Header console = h.get("dev/console");
        assertEquals(020600, console.mode());
        assertEquals(5, console.rdevMajor());
        assertEquals(1, console.rdevMinor());
        Header nul = h.get("dev/null");
        assertEquals(020666, nul.mode());
        assertEquals(1, nul.rdevMajor());
        assertEquals(3, nul.rdevMinor());
        assertEquals(040755, h.get("dev").mode());
        // Parents come before their children.
        java.util.List<String> names = new java.util.ArrayList<>(h.keySet());
        assertTrue(names.indexOf("etc") < names.indexOf("etc/deep"));
        assertTrue(names.indexOf("dev") < names.indexOf("dev/console"));
    }

    @Test
    void zstdIsOneFrameHoldingTheSameArchive() throws IOException {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path init = Files.writeString(root.resolve("init"), "#!/bin/sh\nexec /bin/sh\n");
        Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));
        // Big and repetitive enough that a stored (uncompressed) block would show in the size check.
        Files.writeString(root.resolve("big.txt"), "initramfs zstd test line\n".repeat(20_000));

        byte[] zst = build(Initramfs.Compression.zstd, root.toString());
        // Linux picks the initramfs decompressor by magic: the zstd frame magic 0xFD2FB528, little-endian.
        assertArrayEquals(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, Arrays.copyOf(zst, 4));
        byte[] plain = build(Initramfs.Compression.none, root.toString());
        assertTrue(zst.length < plain.length / 10, "zstd " + zst.length + " bytes for " + plain.length);

        byte[] unpacked;
        try (InputStream in = new ZstdCompressorInputStream(new ByteArrayInputStream(zst))) {
            unpacked = in.readAllBytes();
        }
        assertArrayEquals(plain, unpacked, "the zstd frame holds exactly the uncompressed archive");
        Map<String, Header> h = parse(unpacked);
        assertEquals(0100755, h.get("init").mode());
        assertEquals("#!/bin/sh\nexec /bin/sh\n", new String(h.get("init").data(), StandardCharsets.UTF_8));
        assertEquals(25 * 20_000, h.get("big.txt").size());
        assertEquals(020600, h.get("dev/console").mode());
    }

    @Test
    void noInitRefused() throws IOException {
        Path root = Files.createDirectories(dir.resolve("empty"));
        UserError e = assertThrows(UserError.class, () -> build(root.toString()));
        assertEquals("initramfs has no /init: the kernel would have nothing to run", e.getMessage());
    }

    @Test
    void missingSourceRefused() {
        UserError e = assertThrows(UserError.class, () -> build(dir.resolve("nope") + ":/init"));
        assertEquals("initramfs source '" + dir.resolve("nope") + "' does not exist", e.getMessage());
    }
}
