package dev.vmm.cli.monitor;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The file system side of a listening Unix socket, made safe:
 *
 * <ul>
 *   <li>only a stale <em>socket</em> at the path is removed; a regular file, directory or symlink
 *       there is an error (QEMU unlinks whatever is there);</li>
 *   <li>the socket is bound inside a fresh 0700 directory, made 0600, and only then linked to its
 *       name with link(2), which never replaces anything: whatever the umask, nobody else can
 *       connect, not even in the moment between bind and chmod;</li>
 *   <li>the name is removed on close and, by a shutdown hook, when the JVM ends on SIGTERM or
 *       SIGINT (the hook is dropped again on close).</li>
 * </ul>
 */
final class UnixSocketPath {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path path;
    private final Path bindDir;
    private final Thread cleanup;

    private UnixSocketPath(Path path, Path bindDir) {
        this.path = path;
        this.bindDir = bindDir;
        this.cleanup = new Thread(this::removeQuietly, "unix-socket-cleanup");
    }

    /** Checks the path and makes the private directory to bind in; see {@link #bindPath()}. */
    static UnixSocketPath prepare(Path path) throws IOException {
        Path abs = path.toAbsolutePath();
        removeStaleSocket(abs);
        Path parent = abs.getParent();
        Path dir = Files.createTempDirectory(parent, ".vmm-sock-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return new UnixSocketPath(abs, dir);
    }

    private static void removeStaleSocket(Path path) throws IOException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException(path + " exists and is not a socket; not replacing it");
        }
        Files.deleteIfExists(path); // a socket left by an earlier run, as QEMU does
    }

    /** Where to bind: a name inside the private directory. */
    Path bindPath() {
        return bindDir.resolve("s");
    }

    /** After the bind: 0600, then the socket gets its real name (never replacing a file that appeared since). */
    void publish() throws IOException {
        Path bound = bindPath();
        Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
        try {
            Files.createLink(path, bound);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(path + " appeared while the socket was being set up; not replacing it");
        } finally {
            removeBindDir();
        }
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Gives up before {@link #publish()}: only the private directory goes. */
    void abandon() {
        removeBindDir();
    }

    private void removeBindDir() {
        try {
            Files.deleteIfExists(bindPath());
            Files.deleteIfExists(bindDir);
        } catch (IOException ignored) {
            // a stray empty directory is harmless
        }
    }

    /** Removes the name (if it is still our socket) and drops the shutdown hook. */
    void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // already shutting down (the hook runs or ran), or never published
        }
        removeQuietly();
    }

    private void removeQuietly() {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & S_IFMT) == S_IFSOCK) Files.deleteIfExists(path);
        } catch (IOException | RuntimeException ignored) {
            // gone already, or not ours any more
        }
    }
}
