package dev.vmm.cpu;

import java.util.ArrayList;
import java.util.List;

/**
 * Data for {@code vmm features --x86}: one row per {@link X86Feature} for a given host and model.
 *
 * @param rows in QEMU's word order
 */
public record X86FeatureTable(List<Row> rows) {

    /**
     * @param name          QEMU name
     * @param leaf          "0x1", "0x7.0", "0xd.1", "0x80000001": CPUID EAX input, and ECX input if any
     * @param register      "EAX", "EBX", "ECX" or "EDX"
     * @param bit           bit number
     * @param hostSupported what KVM_GET_SUPPORTED_CPUID offers (hypervisor: always, vmm sets it)
     * @param enabled       state in the resolved model
     */
    public record Row(String name, String leaf, String register, int bit, boolean hostSupported,
                      boolean enabled) {
    }

    public X86FeatureTable {
        rows = List.copyOf(rows);
    }

    public static X86FeatureTable of(CpuModel model) {
        List<Row> rows = new ArrayList<>();
        for (X86Feature f : X86Feature.ALL) {
            X86FeatureWord w = f.word();
            String leaf = "0x" + Integer.toHexString(w.leaf()) + (w.subleaf() < 0 ? "" : "." + w.subleaf());
            rows.add(new Row(f.name(), leaf, w.register(), f.bit(), model.x86().hostHas(f), model.x86().isOn(f)));
        }
        return new X86FeatureTable(rows);
    }

    public String toText() {
        StringBuilder sb = new StringBuilder(String.format("%-20s %-10s %-4s %-3s %-4s %s%n",
                "name", "leaf", "reg", "bit", "host", "state"));
        for (Row r : rows) {
            sb.append(String.format("%-20s %-10s %-4s %-3d %-4s %s%n", r.name(), r.leaf(), r.register(), r.bit(),
                    r.hostSupported() ? "yes" : "no", r.enabled() ? "on" : "off"));
        }
        return sb.toString();
    }

    /** A JSON array of objects, one per flag; the same quoting as {@link FeatureTable#toJson()}. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (i > 0) sb.append(',');
            sb.append("{\"name\":").append(FeatureTable.quote(r.name()))
                    .append(",\"leaf\":").append(FeatureTable.quote(r.leaf()))
                    .append(",\"register\":").append(FeatureTable.quote(r.register()))
                    .append(",\"bit\":").append(r.bit())
                    .append(",\"host\":").append(r.hostSupported())
                    .append(",\"enabled\":").append(r.enabled())
                    .append('}');
        }
        return sb.append(']').toString();
    }
}
