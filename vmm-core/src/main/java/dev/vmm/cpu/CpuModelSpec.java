package dev.vmm.cpu;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A parsed {@code -cpu} string: {@code model[,option]...}, QEMU's spelling.
 *
 * <p>Options: {@code +feat}, {@code -feat}, {@code feat=on|off}, bare {@code feat} (= on),
 * {@code kvm=on|off}, {@code check}, {@code enforce}, {@code x2apic} in any of those forms; feat is a
 * KVM PV feature ({@link PvFeature}) or an x86 CPUID flag ({@link X86Feature}).
 * Parsing validates names only; {@link CpuModel#resolve} gives them meaning.
 *
 * @param model    model name as given ("host", "max", "kvm64", "qemu64")
 * @param options  the options in command-line order
 * @param warnings QEMU-style warnings found while parsing (ambiguous +/-/= mixes)
 */
public record CpuModelSpec(String model, List<CpuOption> options, List<String> warnings) {
    public static final List<String> MODELS = List.of("host", "max", "kvm64", "qemu64");
    /** Options that are not PV features. */
    public static final List<String> OTHER_OPTIONS = List.of("kvm", "check", "enforce", "x2apic");

    public CpuModelSpec {
        options = List.copyOf(options);
        warnings = List.copyOf(warnings);
    }

    /** host and max take the host's bits; the others take QEMU's KVM defaults. */
    public boolean hostModel() {
        return model.equals("host") || model.equals("max");
    }

    public static CpuModelSpec parse(String spec) {
        String[] tokens = spec.split(",", -1);
        String model = tokens[0].trim();
        if (!MODELS.contains(model)) {
            throw new CpuModelException("unable to find CPU model '" + model + "'");
        }
        List<CpuOption> options = new ArrayList<>();
        for (int i = 1; i < tokens.length; i++) {
            String tok = tokens[i].trim();
            if (tok.isEmpty()) continue; // "kvm64," is harmless
            options.add(parseOption(tok));
        }
        return new CpuModelSpec(model, options, ambiguityWarnings(options));
    }

    private static CpuOption parseOption(String tok) {
        if (tok.startsWith("+") || tok.startsWith("-")) {
            String name = validName(tok.substring(1));
            boolean plus = tok.charAt(0) == '+';
            return new CpuOption(name, plus ? CpuOption.Kind.PLUS : CpuOption.Kind.MINUS, plus, tok);
        }
        int eq = tok.indexOf('=');
        if (eq < 0) {
            return new CpuOption(validName(tok), CpuOption.Kind.ASSIGN, true, tok);
        }
        String name = validName(tok.substring(0, eq));
        String value = tok.substring(eq + 1).toLowerCase(Locale.ROOT);
        boolean on;
        if (value.equals("on")) {
            on = true;
        } else if (value.equals("off")) {
            on = false;
        } else {
            throw new CpuModelException("Parameter '" + name + "' expects 'on' or 'off'");
        }
        return new CpuOption(name, CpuOption.Kind.ASSIGN, on, tok);
    }

    /** The canonical name: '_' read as '-', QEMU's aliases (sse3, xd, ...) replaced by the flag's name. */
    private static String validName(String raw) {
        String name = PvFeature.normalize(raw.trim());
        if (name.startsWith("hv-")) { // QEMU's Hyper-V enlightenments: known names, not vmm's business
            throw new CpuModelException("-cpu option '" + raw.trim() + "' is not supported: vmm has no Hyper-V enlightenments");
        }
        if (PvFeature.byName(name).isPresent() || OTHER_OPTIONS.contains(name)) return name;
        var x86 = X86Feature.byName(name);
        if (x86.isPresent()) return x86.get().name();
        throw new CpuModelException("unknown -cpu option '" + raw.trim()
                + "' (did you mean '" + closest(name) + "'?)");
    }

    /** Every name an option may take, for suggestions and help. */
    public static List<String> allOptionNames() {
        List<String> all = new ArrayList<>();
        for (PvFeature f : PvFeature.values()) all.add(f.qemuName());
        all.addAll(OTHER_OPTIONS);
        for (X86Feature f : X86Feature.ALL) {
            if (!all.contains(f.name())) all.add(f.name());
        }
        return all;
    }

    static String closest(String name) {
        String best = null;
        int bestDist = Integer.MAX_VALUE;
        for (String candidate : allOptionNames()) {
            int d = levenshtein(name, candidate);
            if (d < bestDist) {
                bestDist = d;
                best = candidate;
            }
        }
        return best;
    }

    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /**
     * QEMU warns when one feature is given both as +/-feat and as feat=value (the +/- form wins,
     * but QEMU does not promise to keep that). One warning per (sign, assignment) pair.
     */
    private static List<String> ambiguityWarnings(List<CpuOption> options) {
        Set<String> out = new LinkedHashSet<>();
        for (CpuOption signed : options) {
            if (signed.kind() == CpuOption.Kind.ASSIGN) continue;
            for (CpuOption assign : options) {
                if (assign.kind() != CpuOption.Kind.ASSIGN || !assign.name().equals(signed.name())) {
                    continue;
                }
                String sign = signed.kind() == CpuOption.Kind.PLUS ? "+" : "-";
                out.add("warning: Ambiguous CPU model string. Don't mix both \"" + sign + signed.name()
                        + "\" and \"" + assign.name() + "=" + (assign.on() ? "on" : "off") + "\"");
            }
        }
        return new ArrayList<>(out);
    }
}
