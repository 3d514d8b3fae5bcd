package dev.vmm.pvtest;

import dev.vmm.cpu.PvFeature;

/**
 * One boot's verdict in the matrix.
 *
 * @param feature the feature whose check decides
 * @param config  the column (on, off, off+enforce) or the user's name for the cell
 * @param cpu     the -cpu string the boot used
 * @param verdict pass, fail or skip
 * @param reason  why it failed or skipped ("" for a pass)
 * @param log     the guest's serial output ("" where the cell never booted)
 * @param seconds the cell's wall time, boot and host evidence included
 */
public record Cell(PvFeature feature, String config, String cpu, Verdict verdict, String reason, String log,
                   double seconds) {
    Cell(PvFeature feature, String config, String cpu, Verdict verdict, String reason, String log) {
        this(feature, config, cpu, verdict, reason, log, 0);
    }

    Cell took(double wallSeconds) {
        return new Cell(feature, config, cpu, verdict, reason, log, wallSeconds);
    }

    /** The same cell with another verdict: host evidence overruling the guest's. */
    Cell overruled(Verdict v, String why) {
        return new Cell(feature, config, cpu, v, why, log, seconds);
    }
}
