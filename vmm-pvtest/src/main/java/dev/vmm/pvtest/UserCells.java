package dev.vmm.pvtest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmm.cpu.CpuModel;
import dev.vmm.cpu.CpuidEntry;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.cpu.PvFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code vmm test --config FILE}: a user's own cells, each a feature to judge and a CPU model to
 * boot with, read by Jackson from JSON. A cell's meaning (feature bit on or off, enforced or not)
 * comes from the CPU model it resolves to, exactly as for a standard column, so every check and
 * every piece of host evidence applies unchanged.
 */
public final class UserCells {
    /** The most cells one file may ask for; each is a boot. */
    static final int MAX_CELLS = 1000;

    private UserCells() {
    }

    /** The file's shape. Unknown keys are refused: a typo must not silently change what runs. */
    record File(@JsonProperty(value = "cells", required = true) List<Entry> cells) {
    }

    record Entry(@JsonProperty(value = "feature", required = true) String feature,
                 @JsonProperty(value = "cpu", required = true) String cpu,
                 @JsonProperty("name") String name,
                 @JsonProperty("append") String append,
                 @JsonProperty("smp") Integer smp) {
    }

    /** One checked cell; {@code smp} null means vmm test's --smp. */
    public record UserCell(PvFeature feature, String cpu, String name, String append, Integer smp) {
        /** What this cell's CPU model means for its feature, on this host. */
        CellSetting setting(List<CpuidEntry> host, IrqchipMode irqchip, int defaultSmp) {
            CpuModel model = CpuModel.resolve(cpu, host, irqchip);
            return new CellSetting(name, cpu, model.isOn(feature), model.enforcePvCpuid(), append,
                    smp != null ? smp : defaultSmp);
        }
    }

    public static List<UserCell> read(Path file) {
        String text;
        try {
            if (!Files.isRegularFile(file)) {
                throw new MatrixConfigException("--config '" + file + "': not a regular file");
            }
            if (Files.size(file) > 1 << 20) {
                throw new MatrixConfigException("--config '" + file + "': larger than 1 MiB");
            }
            text = Files.readString(file);
        } catch (IOException e) {
            throw new MatrixConfigException("--config '" + file + "': cannot read it: " + e.getMessage());
        }
        File parsed;
        try {
            parsed = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .readValue(text, File.class);
        } catch (JsonProcessingException e) {
            throw new MatrixConfigException("--config '" + file + "': " + e.getOriginalMessage().lines().findFirst().orElse("not valid")
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
        }
        if (parsed == null || parsed.cells() == null || parsed.cells().isEmpty()) {
            throw new MatrixConfigException("--config '" + file + "': no cells (expected {\"cells\": [{\"feature\": ..., \"cpu\": ...}]})");
        }
        if (parsed.cells().size() > MAX_CELLS) {
            throw new MatrixConfigException("--config '" + file + "': " + parsed.cells().size() + " cells, at most " + MAX_CELLS);
        }
        List<UserCell> cells = new ArrayList<>();
        for (int i = 0; i < parsed.cells().size(); i++) {
            Entry e = parsed.cells().get(i);
            String where = "--config '" + file + "': cell " + (i + 1);
            if (e == null || e.feature() == null || e.cpu() == null || e.cpu().isBlank()) {
                throw new MatrixConfigException(where + ": needs \"feature\" and \"cpu\"");
            }
            PvFeature f = PvFeature.byName(e.feature())
                    .orElseThrow(() -> new MatrixConfigException(where + ": unknown PV feature '" + e.feature() + "'"));
            if (!CheckedFeatures.has(f)) {
                throw new MatrixConfigException(where + ": the test kernel has no check for " + f.qemuName());
            }
            if (e.smp() != null && e.smp() < 1) { // the upper limit is the machine's, checked when the cell boots
                throw new MatrixConfigException(where + ": smp " + e.smp() + " is not a vCPU count");
            }
            String append = e.append() == null ? "" : e.append();
            if (append.chars().anyMatch(ch -> ch < 0x20)) {
                throw new MatrixConfigException(where + ": append has control characters");
            }
            cells.add(new UserCell(f, e.cpu(), e.name() == null || e.name().isBlank() ? e.cpu() : e.name(), append, e.smp()));
        }
        return cells;
    }
}
