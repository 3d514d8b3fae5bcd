package dev.vmm.pvtest;

import java.io.PrintStream;
import java.util.Locale;

/**
 * What {@code vmm test} says while it runs: a line per finished cell (feature, configuration,
 * verdict, seconds), which CI logs keep, and on a terminal also a live bar naming the cell now
 * booting, redrawn in place and never left in the log. On stderr, so --json's stdout stays one
 * document. A matrix takes half a minute here and many minutes under nested KVM; a run that is
 * stopped still shows how far it got.
 */
public final class MatrixProgress {
    private static final int BAR_WIDTH = 30;
    /** Carriage return and ANSI "erase line": the bar is redrawn over itself. */
    private static final String CLEAR_LINE = "\r\033[K";

    private final PrintStream out;
    private final int total;
    private final boolean terminal;
    private int done;

    public MatrixProgress(PrintStream out, int total, boolean terminal) {
        this.out = out;
        this.total = total;
        this.terminal = terminal;
    }

    void starting(String cell) {
        if (!terminal) return;
        int filled = total == 0 ? BAR_WIDTH : done * BAR_WIDTH / total;
        out.print(CLEAR_LINE + "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] " + done + "/" + total
                + " booting " + cell);
        out.flush();
    }

    void finished(String cell, Verdict verdict, double seconds) {
        done++;
        out.print((terminal ? CLEAR_LINE : "") + line(cell, verdict, seconds) + System.lineSeparator());
        out.flush();
    }

    static String line(String cell, Verdict verdict, double seconds) {
        return String.format(Locale.ROOT, "vmm test: %s: %s (%.1f s)", cell, verdict.label(), seconds);
    }
}
