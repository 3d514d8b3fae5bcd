package dev.vmm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A report file a command writes at its end (vmm test's JUnit XML). Checked before the work
 * starts, so a mistyped path costs a second, not the minutes of a whole matrix; a failure to
 * write is a one-line I/O error (status 2), never the status of a failed check.
 */
final class ReportFile {
    private ReportFile() {
    }

    /** Refuses a path that cannot be written: no such directory, a directory, or not writable. */
    static void checkWritable(Path file, String what) {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (Files.isDirectory(abs)) {
            throw new UserError("cannot write the " + what + " to '" + file + "': it is a directory");
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UserError("cannot write the " + what + " to '" + file + "': directory '" + dir + "' does not exist");
        }
        if (Files.exists(abs) ? !Files.isRegularFile(abs) || !Files.isWritable(abs) : !Files.isWritable(dir)) {
            throw new UserError("cannot write the " + what + " to '" + file + "': permission denied or not a regular file");
        }
    }

    static void write(Path file, String what, String content) {
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("cannot write the " + what + " to '" + file + "': " + e.getMessage());
        }
    }
}
