package dev.vmm.cli;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code --trace exits[,file=PATH]}, after QEMU's {@code -trace [enable=]PATTERN[,file=PATH]}: the
 * only trace vmm has is the KVM_RUN exit trace; without {@code file=} it goes to stderr, as QEMU's.
 */
record ExitTraceOption(Path file) {
    /** @return null when there is no --trace */
    static ExitTraceOption parse(String text) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split(",");
        String what = parts[0].startsWith("enable=") ? parts[0].substring(7) : parts[0];
        if (!what.equals("exits")) {
            throw new UserError("--trace " + text + ": the only trace is 'exits' (--trace exits[,file=PATH])");
        }
        Path file = null;
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].startsWith("file=") && parts[i].length() > 5) {
                file = Path.of(parts[i].substring(5));
            } else {
                throw new UserError("--trace " + text + ": unknown option '" + parts[i] + "' (only file=PATH)");
            }
        }
        return new ExitTraceOption(file);
    }

    PrintStream open() throws IOException {
        if (file == null) {
            return System.err;
        }
        try {
            return new PrintStream(new BufferedOutputStream(new FileOutputStream(file.toFile())), false);
        } catch (IOException e) {
            throw new IOException("--trace: cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
