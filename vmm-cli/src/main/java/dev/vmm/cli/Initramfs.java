package dev.vmm.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

/**
 * Builds a Linux initramfs: a cpio "newc" archive, everything owned by root, from host
 * directories (their contents become the archive root) and {@code host-path:guest-path} pairs.
 * /dev/console (char 5,1, 0600) and /dev/null (char 1,3, 0666) are always added; parent
 * directories are created (0755). Entries are written sorted by path so parents precede children.
 * Compression: gzip, xz (with the CRC32 check the kernel's decoder supports), zstd (one frame,
 * through zstd-jni's bundled native library) or none.
 */
public final class Initramfs {
    public enum Compression { gzip, xz, zstd, none }

    /** One archive member. {@code host} is null for directories and device nodes we create. */
    record Member(String path, int type, int perm, Path host, String linkTarget, int rdevMajor, int rdevMinor) {
    }

    private final TreeMap<String, Member> members = new TreeMap<>();

    public Initramfs() {
        addDirectory("dev", 0755);
        members.put("dev/console", new Member("dev/console", CpioConstants.C_ISCHR, 0600, null, null, 5, 1));
        members.put("dev/null", new Member("dev/null", CpioConstants.C_ISCHR, 0666, null, null, 1, 3));
    }

    /** Adds a source as given on the command line: a directory, or {@code host:guest}. */
    public void addSource(String spec) throws IOException {
        int colon = spec.lastIndexOf(':');
        Path host;
        String guest;
        if (colon > 0 && !Files.exists(Path.of(spec), LinkOption.NOFOLLOW_LINKS)) {
            host = Path.of(spec.substring(0, colon));
            guest = normalize(spec.substring(colon + 1));
        } else {
            host = Path.of(spec);
            guest = "";
        }
        if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
            throw new UserError("initramfs source '" + host + "' does not exist", 1);
        }
        if (guest.isEmpty() && !Files.isDirectory(host)) {
            throw new UserError("initramfs source '" + host + "' is a file: give it as HOST:GUEST-PATH", 1);
        }
        addTree(host, guest);
    }

    private static String normalize(String guest) {
        String g = guest;
        while (g.startsWith("/")) {
            g = g.substring(1);
        }
        while (g.endsWith("/")) {
            g = g.substring(0, g.length() - 1);
        }
        return g;
    }

    private void addTree(Path host, String guest) throws IOException {
        if (!guest.isEmpty()) {
            addParents(guest);
            addOne(host, guest);
        }
        if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> children = Files.list(host)) {
                for (Path c : (Iterable<Path>) children.sorted()::iterator) {
                    String name = c.getFileName().toString();
                    addTree(c, guest.isEmpty() ? name : guest + "/" + name);
                }
            }
        }
    }

    private void addParents(String guest) {
        int slash = guest.lastIndexOf('/');
        if (slash > 0) {
            String parent = guest.substring(0, slash);
            addParents(parent);
            addDirectory(parent, 0755);
        }
    }

    private void addDirectory(String path, int perm) {
        members.putIfAbsent(path, new Member(path, CpioConstants.C_ISDIR, perm, null, null, 0, 0));
    }

    private void addOne(Path host, String guest) throws IOException {
        int perm = permissions(host);
        if (Files.isSymbolicLink(host)) {
            members.put(guest, new Member(guest, CpioConstants.C_ISLNK, 0777, host,
                    Files.readSymbolicLink(host).toString(), 0, 0));
        } else if (Files.isDirectory(host)) {
            members.put(guest, new Member(guest, CpioConstants.C_ISDIR, perm, null, null, 0, 0));
        } else if (Files.isRegularFile(host)) {
            members.put(guest, new Member(guest, CpioConstants.C_ISREG, perm, host, null, 0, 0));
        } else {
            throw new UserError("initramfs source '" + host + "' is not a file, directory or symlink", 1);
        }
    }

    private static int permissions(Path p) throws IOException {
        if (Files.isSymbolicLink(p)) {
            return 0777;
        }
        Set<PosixFilePermission> set = Files.getPosixFilePermissions(p);
        int mode = 0;
        for (PosixFilePermission f : set) {
            mode |= 1 << (8 - f.ordinal());
        }
        return mode;
    }

    /** True when the archive has an /init (file or symlink). */
    public boolean hasInit() {
        Member m = members.get("init");
        return m != null && m.type() != CpioConstants.C_ISDIR;
    }

    /** Writes the archive. */
    public void write(OutputStream out, Compression compression) throws IOException {
        if (!hasInit()) {
            throw new UserError("initramfs has no /init: the kernel would have nothing to run", 1);
        }
        OutputStream sink = switch (compression) {
            case gzip -> new GZIPOutputStream(out, 64 * 1024);
            case xz -> new XZOutputStream(out, new LZMA2Options(), XZ.CHECK_CRC32);
            case zstd -> zstd(out);
            case none -> out;
        };
        try (CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(new BufferedOutputStream(sink),
                CpioConstants.FORMAT_NEW)) {
            long ino = 1;
            for (Member m : members.values()) {
                CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, m.path());
                e.setInode(ino++);
                e.setMode(m.type() | m.perm());
                e.setUID(0);
                e.setGID(0);
                e.setNumberOfLinks(m.type() == CpioConstants.C_ISDIR ? 2 : 1);
                e.setTime(0);
                e.setRemoteDeviceMaj(m.rdevMajor());
                e.setRemoteDeviceMin(m.rdevMinor());
                byte[] data = null;
                if (m.type() == CpioConstants.C_ISLNK) {
                    data = m.linkTarget().getBytes(StandardCharsets.UTF_8);
                } else if (m.type() == CpioConstants.C_ISREG) {
                    data = Files.readAllBytes(m.host());
                }
                e.setSize(data == null ? 0 : data.length);
                cpio.putArchiveEntry(e);
                if (data != null) {
                    cpio.write(data);
                }
                cpio.closeArchiveEntry();
            }
            cpio.finish();
        }
    }

    /**
     * zstd's default level 3: its window (at most 2 MiB) is far below the 128 MiB limit of the
     * kernel's streaming decoder. zstd-jni loads its native library on first use; if that fails
     * (e.g. no writable temporary directory to unpack it to) the user gets one line, not an Error.
     */
    private static OutputStream zstd(OutputStream out) throws IOException {
        try {
            return new ZstdCompressorOutputStream(out);
        } catch (LinkageError e) {
            throw new UserError("zstd compression is unavailable: zstd-jni's native library did not load ("
                    + e + ")", 1);
        }
    }

    /** Number of members (for messages). */
    public int size() {
        return members.size();
    }
}
