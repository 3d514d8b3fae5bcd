package dev.vmm.pvtest;

import java.util.List;
import java.util.Locale;

/** A cell's verdict; the reports spell it in lower case ("pass", "fail", "skip"). */
public enum Verdict {
    PASS, FAIL, SKIP;

    /** @return the word the table, the progress lines and the JSON report use */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return how many of {@code cells} have this verdict */
    public long countIn(List<Cell> cells) {
        return cells.stream().filter(c -> c.verdict() == this).count();
    }

    @Override
    public String toString() {
        return label();
    }
}
