package dev.vmm.pvtest;

import dev.vmm.cpu.PvFeature;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code vmm test}'s table: one row per feature with its three columns' verdicts, then a note per
 * cell that failed or skipped, the user's cells one line each, and the totals.
 */
public final class MatrixTable {
    private MatrixTable() {
    }

    /**
     * @param features the standard rows, in order
     * @param cells    every cell, the standard ones first
     * @param ownCells the user's cells (also in {@code cells})
     */
    public static void print(PrintStream out, List<PvFeature> features, List<Cell> cells, List<Cell> ownCells) {
        out.printf("%-22s %-6s %-6s %s%n", "feature", Column.ON.label(), Column.OFF.label(), Column.ENFORCE.label());
        List<String> notes = new ArrayList<>();
        for (PvFeature f : features) {
            StringBuilder row = new StringBuilder(String.format("%-22s", f.qemuName()));
            for (Column c : Column.values()) {
                Cell cell = cells.stream().filter(x -> x.feature() == f && x.config().equals(c.label())).findFirst().orElseThrow();
                row.append(' ').append(String.format(c == Column.ENFORCE ? "%-12s" : "%-6s", cell.verdict().label()));
                if (!cell.reason().isEmpty()) {
                    notes.add(f.qemuName() + " " + c.label() + " (-cpu " + cell.cpu() + "): " + cell.verdict().label() + ": "
                            + cell.reason());
                }
            }
            out.println(row.toString().stripTrailing());
        }
        for (String n : notes) out.println("  " + n);
        for (Cell own : ownCells) { // the user's cells, one line each
            out.println(String.format("%-22s %s: %s", own.feature().qemuName(), own.config() + " (-cpu " + own.cpu() + ")",
                    own.verdict().label()) + (own.reason().isEmpty() ? "" : ": " + own.reason()));
        }
        out.println(Verdict.PASS.countIn(cells) + " passed, " + Verdict.FAIL.countIn(cells) + " failed, "
                + Verdict.SKIP.countIn(cells) + " skipped");
    }
}
