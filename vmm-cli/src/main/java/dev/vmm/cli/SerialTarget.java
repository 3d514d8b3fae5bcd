package dev.vmm.cli;

import dev.vmm.cli.monitor.ChardevSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where COM1's output goes (and its input comes from), from QEMU's {@code -serial} spellings:
 * {@code stdio}, {@code mon:stdio} (stdio; vmm has no human monitor to multiplex in), {@code null},
 * {@code none}, {@code file:PATH}, {@code chardev:ID} (a {@code -chardev}), and listening sockets
 * {@code unix:}/{@code tcp:}/{@code telnet:}. vmm has one serial port, so only the first
 * {@code -serial} may name a real target.
 */
sealed interface SerialTarget {
    /** The process's stdin and stdout. */
    record Stdio() implements SerialTarget { }

    /** Output dropped, no input: QEMU's null and none (vmm keeps the UART, QEMU removes it for none). */
    record Discard() implements SerialTarget { }

    /** Output appended to a file (created or truncated, as QEMU's file: does), no input. */
    record File(Path path) implements SerialTarget { }

    /** A listening socket vmm serves the console on. */
    record Socket(ChardevSpec spec, boolean telnet) implements SerialTarget { }

    /**
     * The COM1 target for {@code -serial} options (in order), the {@code -chardev}s they may name,
     * and whether {@code -nodefaults} took away QEMU's default serial port.
     */
    static SerialTarget resolve(List<String> serials, Map<String, SerialTarget> chardevs, boolean nodefaults) {
        if (serials.isEmpty()) {
            return nodefaults ? new Discard() : new Stdio();
        }
        for (String extra : serials.subList(1, serials.size())) {
            if (!(parse(extra, chardevs) instanceof Discard)) {
                throw new UserError("-serial " + extra + ": vmm has one serial port (COM1), the first -serial is "
                        + serials.get(0));
            }
        }
        return parse(serials.get(0), chardevs);
    }

    static SerialTarget parse(String text, Map<String, SerialTarget> chardevs) {
        if (text.equals("stdio") || text.equals("mon:stdio")) return new Stdio();
        if (text.equals("null") || text.equals("none")) return new Discard();
        if (text.startsWith("file:")) {
            String path = text.substring(5);
            if (path.isEmpty()) throw new UserError("-serial file: needs a path");
            return new File(Path.of(path));
        }
        if (text.startsWith("chardev:")) {
            SerialTarget target = chardevs.get(text.substring(8));
            if (target == null) {
                throw new UserError("-serial " + text + ": no -chardev with id=" + text.substring(8));
            }
            return target;
        }
        if (text.startsWith("unix:") || text.startsWith("tcp:") || text.startsWith("telnet:")) {
            try {
                return new Socket(ChardevSpec.parse("--serial", text), text.startsWith("telnet:"));
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
        }
        throw new UserError("unsupported -serial '" + text
                + "' (vmm understands stdio, mon:stdio, null, none, file:PATH, chardev:ID, unix:PATH, tcp:HOST:PORT, telnet:HOST:PORT)");
    }
}
