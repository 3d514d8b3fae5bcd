package dev.vmm.machine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A file the user gave vmm to read (kernel, initrd), checked before a byte of it is read: it must
 * be a regular file (a FIFO would block the open and the read with no timeout, and a device such
 * as /dev/zero never ends) and no larger than what it will be read into.
 *
 * @param what "kernel" or "initrd", for messages
 * @param size the size found by the check
 */
public record InputFile(String what, Path path, long size) {
    private static final int S_IFMT = 0170000;

    /**
     * Checks type and size; each refusal is a one-line {@link MachineException}.
     *
     * @param limit        the largest size accepted
     * @param limitReason  why, completing "{@code what 'path' is N bytes; }" …
     */
    public static InputFile check(String what, Path path, long limit, String limitReason) {
        int mode;
        long size;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode");
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new MachineException(what + " '" + path + "' does not exist");
        } catch (IOException | UnsupportedOperationException e) {
            throw new MachineException("cannot read " + what + " '" + path + "': " + e.getMessage());
        }
        String type = typeName(mode);
        if (type != null) {
            throw new MachineException(what + " '" + path + "' is " + type + ", not a regular file");
        }
        if (size == 0) {
            throw new MachineException(what + " '" + path + "' is empty");
        }
        if (size > limit) {
            throw new MachineException(what + " '" + path + "' is " + size + " bytes; " + limitReason);
        }
        return new InputFile(what, path, size);
    }

    /** The kind of a non-regular file by its st_mode, or null for a regular file. */
    static String typeName(int mode) {
        return switch (mode & S_IFMT) {
            case 0100000 -> null;
            case 0040000 -> "a directory";
            case 0010000 -> "a FIFO";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            case 0140000 -> "a socket";
            default -> "not a regular file (mode " + Integer.toOctalString(mode) + ")";
        };
    }

    /**
     * Reads the whole file, at most the {@link #size} checked (a file that grew since is cut
     * there rather than read without bound).
     */
    public byte[] readAll() {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] data = in.readNBytes((int) size);
            if (data.length != size) {
                throw new MachineException(what + " '" + path + "' shrank while it was read");
            }
            return data;
        } catch (IOException e) {
            throw new MachineException("cannot read " + what + " '" + path + "': " + e.getMessage());
        }
    }
}
