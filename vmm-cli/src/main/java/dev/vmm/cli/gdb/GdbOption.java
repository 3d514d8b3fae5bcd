package dev.vmm.cli.gdb;

import dev.vmm.cli.UserError;
import dev.vmm.cli.monitor.ChardevSpec;

/** QEMU's {@code -gdb DEV} and {@code -s} spellings turned into the socket to listen on. */
public final class GdbOption {
    public static final int DEFAULT_PORT = 1234;

    private GdbOption() {
    }

    /** @return null when neither option was given */
    public static ChardevSpec spec(String gdb, boolean shorthand) {
        if (gdb != null && shorthand) {
            throw new UserError("-s is -gdb tcp::" + DEFAULT_PORT + "; give one of -s and -gdb");
        }
        if (shorthand) {
            return new ChardevSpec(ChardevSpec.Kind.TCP, null, "0.0.0.0", DEFAULT_PORT);
        }
        if (gdb == null) {
            return null;
        }
        String text = gdb.matches("\\d+") ? "tcp::" + gdb : gdb; // QEMU takes a bare port number too
        try {
            return ChardevSpec.parse("-gdb", text);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }
}
