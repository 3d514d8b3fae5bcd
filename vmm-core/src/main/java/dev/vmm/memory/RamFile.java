package dev.vmm.memory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The file behind {@code --mem-path FILE}, opened without surprises: a symlink at the path is
 * refused (QEMU follows it, so a link planted there turns its target into guest RAM), so is
 * anything but a regular file, and a file vmm creates is 0600 (QEMU's is 0644): guest memory
 * holds whatever the guest keeps, keys included.
 */
final class RamFile {
    /** open(2)'s O_NOFOLLOW on x86-64: the final open of the path refuses a symlink swapped in since the check. */
    static final int O_NOFOLLOW = 0x20000;

    private RamFile() {
    }

    /** Creates {@code path} 0600 if missing; an existing one must be a regular file, not a symlink. */
    static Path createOrCheck(Path path) throws IOException {
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            return path;
        } catch (FileAlreadyExistsException e) {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                throw new IOException("it is a symbolic link; give the file itself");
            }
            if (!a.isRegularFile()) {
                throw new IOException("it is not a regular file");
            }
            return path;
        }
    }

    /** Grows the file to {@code size} (never shrinks it), without following a symlink. */
    static void growTo(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            if (ch.size() < size) {
                ch.write(ByteBuffer.allocate(1), size - 1); // the last byte: the file becomes sparse up to it
            }
        }
    }
}
