package dev.vmm.cli.monitor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The file {@code memsave} and {@code pmemsave} write: created 0600 (a guest's memory may hold its
 * secrets) or truncated when it is a regular file, never written through a symbolic link (checked
 * first, and the open itself uses O_NOFOLLOW, so a link swapped in meanwhile is refused too), never
 * a FIFO, device or directory. Failures read as QEMU's "Could not open 'FILE': REASON".
 */
final class DumpFile implements AutoCloseable {
    private final String name;
    private final FileChannel channel;

    private DumpFile(String name, FileChannel channel) {
        this.name = name;
        this.channel = channel;
    }

    static DumpFile create(String filename) {
        if (filename.isEmpty()) {
            throw cannotOpen(filename, "No such file or directory");
        }
        Path path;
        try {
            path = Path.of(filename);
        } catch (RuntimeException e) {
            throw cannotOpen(filename, "Invalid argument");
        }
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                throw cannotOpen(filename, "it is a symbolic link, which vmm does not write through");
            }
            if (a.isDirectory()) {
                throw cannotOpen(filename, "Is a directory");
            }
            if (!a.isRegularFile()) {
                throw cannotOpen(filename, "not a regular file");
            }
        } catch (NoSuchFileException absent) {
            // created below
        } catch (IOException e) {
            throw cannotOpen(filename, reason(e));
        }
        try {
            FileChannel ch = FileChannel.open(path,
                    Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                            LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            return new DumpFile(filename, ch);
        } catch (IOException e) {
            throw cannotOpen(filename, reason(e));
        }
    }

    void write(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw QmpError.generic("writing memory to '" + name + "' failed");
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw QmpError.generic("writing memory to '" + name + "' failed");
        }
    }

    private static QmpError cannotOpen(String filename, String reason) {
        return QmpError.generic("Could not open '" + filename + "': " + reason);
    }

    /** strerror's words for what Java reports, as QEMU's error_setg_file_open prints them. */
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "No such file or directory";
        if (e instanceof AccessDeniedException) return "Permission denied";
        if (e instanceof FileSystemException f && f.getReason() != null) {
            String r = f.getReason();
            return r.contains("symbolic links") ? "it is a symbolic link, which vmm does not write through" : r;
        }
        return String.valueOf(e.getMessage());
    }
}
