package dev.vmm.cpu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Data for {@code vmm features}: one row per PV feature for a given host and model.
 *
 * @param rows one per {@link PvFeature}, in bit order
 */
public record FeatureTable(List<Row> rows) {

    /**
     * @param name          QEMU name
     * @param register      "EAX", "EDX" or "-" (not a CPUID bit)
     * @param bits          "0,3", "11", "" for non-CPUID switches
     * @param hostSupported null when CPUID cannot tell (kvm-pv-enforce-cpuid: a KVM capability)
     * @param defaultOn     default on named models for this irqchip mode
     * @param enabled       state in the resolved model
     * @param since         Linux version, "" if not recorded
     * @param deprecated    QEMU deprecates it
     * @param description   one line
     */
    public record Row(String name, String register, String bits, Boolean hostSupported,
                      boolean defaultOn, boolean enabled, String since, boolean deprecated,
                      String description) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("register", register);
            m.put("bits", bits);
            m.put("host", hostSupported);
            m.put("default", defaultOn);
            m.put("enabled", enabled);
            m.put("since", since);
            m.put("deprecated", deprecated);
            m.put("description", description);
            return m;
        }
    }

    public FeatureTable {
        rows = List.copyOf(rows);
    }

    public static FeatureTable of(List<CpuidEntry> hostSupported, CpuModel model) {
        HostPvSupport host = HostPvSupport.from(hostSupported, model.irqchip());
        List<Row> rows = new ArrayList<>();
        for (PvFeature f : PvFeature.values()) {
            Boolean supported = f.isCpuidBit()
                    ? (host.supported(f.register()) & f.mask()) == f.mask() : null;
            rows.add(new Row(f.qemuName(), f.isCpuidBit() ? f.register().name() : "-", f.bitList(),
                    supported, f.defaultOn(model.irqchip()), model.isOn(f), f.sinceLinux(),
                    f.deprecated(), f.description()));
        }
        return new FeatureTable(rows);
    }

    public List<Map<String, Object>> toMaps() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) out.add(r.toMap());
        return out;
    }

    public String toText() {
        StringBuilder sb = new StringBuilder(String.format("%-22s %-4s %-5s %-5s %-7s %-7s %-7s %s%n",
                "name", "reg", "bits", "host", "default", "state", "since", "description"));
        for (Row r : rows) {
            sb.append(String.format("%-22s %-4s %-5s %-5s %-7s %-7s %-7s %s%s%n", r.name(), r.register(),
                    r.bits(), r.hostSupported() == null ? "?" : yesNo(r.hostSupported()),
                    r.defaultOn() ? "on" : "off", r.enabled() ? "on" : "off",
                    r.since().isEmpty() ? "-" : r.since(), r.deprecated() ? "(deprecated) " : "",
                    r.description()));
        }
        return sb.toString();
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    /** A JSON array of objects; values are strings, booleans or null only, so this stays small. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < rows.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : rows.get(i).toMap().entrySet()) {
                if (!first) sb.append(',');
                first = false;
                sb.append(quote(e.getKey())).append(':');
                Object v = e.getValue();
                sb.append(v == null ? "null" : v instanceof Boolean ? v.toString() : quote(v.toString()));
            }
            sb.append('}');
        }
        return sb.append(']').toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
