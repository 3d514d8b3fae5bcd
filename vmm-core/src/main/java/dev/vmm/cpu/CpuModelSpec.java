package dev.vmm.cpu;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed {@code -cpu} string: {@code model[,option]...}, QEMU's spelling.
 *
 * <p>Options: {@code +feat}, {@code -feat}, {@code feat=on|off}, bare {@code feat} (= on),
 * {@code kvm=on|off}, {@code check}, {@code enforce}, {@code x2apic} in any of those forms; feat is a
 * KVM PV feature ({@link PvFeature}) or an x86 CPUID flag ({@link X86Feature}).
 * Parsing validates names only; {@link CpuModel#resolve} gives them meaning.
 *
 * <p>Besides on/off switches it takes QEMU's valued CPU properties ({@link CpuProperty}: vendor,
 * family, model, stepping, level, xlevel, model-id, phys-bits, host-phys-bits-limit), checked here for
 * syntax and range with QEMU's messages.
 *
 * @param model      model name as given ("host", "max", or one of {@link X86CpuDefinitions}: "kvm64",
 *                   "IvyBridge", "Skylake-Server-v4", ...)
 * @param options    the on/off options in command-line order
 * @param properties the valued properties, last one of each name wins (as QEMU sets them in order)
 * @param warnings   QEMU-style warnings found while parsing (ambiguous +/-/= mixes)
 */
public record CpuModelSpec(String model, List<CpuOption> options, Map<CpuProperty, String> properties,
                           List<String> warnings) {
    /** The models that take the host's CPUID; every other name is a QEMU table model. */
    public static final List<String> HOST_MODELS = List.of("host", "max");
    /**
     * Boolean options that are not PV features or CPUID flags: QEMU's {@code kvm}, {@code check},
     * {@code enforce}, {@code x2apic} (decided with the irqchip), {@code pmu}, {@code migratable} and
     * {@code host-phys-bits}.
     */
    public static final List<String> OTHER_OPTIONS = List.of("kvm", "check", "enforce", "x2apic", "pmu",
            "migratable", "host-phys-bits");
    /**
     * QEMU's nested-SVM flags (CPUID 0x8000000A EDX, "svm kin") and the prefix of its VMX-capability
     * MSR flags: vmm does not model either word, so each is a one-line "not supported".
     */
    static final List<String> SVM_FLAGS = List.of("npt", "lbrv", "svm-lock", "nrip-save", "tsc-scale",
            "vmcb-clean", "flushbyasid", "decodeassists", "pause-filter", "pfthreshold", "avic",
            "v-vmsave-vmload", "vgif", "svme-addr-chk");

    public CpuModelSpec {
        options = List.copyOf(options);
        properties = Collections.unmodifiableMap(new EnumMap<>(properties.isEmpty()
                ? new EnumMap<>(CpuProperty.class) : properties));
        warnings = List.copyOf(warnings);
    }

    /** Every model name {@code -cpu} accepts. */
    public static boolean known(String model) {
        return HOST_MODELS.contains(model) || X86CpuDefinitions.find(model).isPresent();
    }

    /** The QEMU table model, empty for host and max. */
    public Optional<X86CpuDefinition> definition() {
        return hostModel() ? Optional.empty() : X86CpuDefinitions.find(model);
    }

    /** host and max take the host's bits; the others take QEMU's KVM defaults. */
    public boolean hostModel() {
        return HOST_MODELS.contains(model);
    }

    public static CpuModelSpec parse(String spec) {
        String[] tokens = split(spec);
        String model = tokens[0].trim();
        if (!known(model)) {
            throw new CpuModelException("unable to find CPU model '" + model + "'");
        }
        List<CpuOption> options = new ArrayList<>();
        Map<CpuProperty, String> properties = new EnumMap<>(CpuProperty.class);
        for (int i = 1; i < tokens.length; i++) {
            String tok = tokens[i].trim();
            if (tok.isEmpty()) continue; // "kvm64," is harmless
            int eq = tok.indexOf('=');
            Optional<CpuProperty> prop = eq < 0 ? Optional.empty()
                    : CpuProperty.byName(PvFeature.normalize(tok.substring(0, eq)));
            if (prop.isPresent()) {
                String value = tok.substring(eq + 1);
                prop.get().check(value);
                properties.put(prop.get(), value);
            } else {
                options.add(parseOption(tok));
            }
        }
        return new CpuModelSpec(model, options, properties, ambiguityWarnings(options));
    }

    /**
     * Splits at single commas; QEMU's option syntax writes a comma inside a value as ",," (so
     * {@code model-id=Foo,, Inc.} is one token, "model-id=Foo, Inc.").
     */
    static String[] split(String spec) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c != ',') {
                cur.append(c);
            } else if (i + 1 < spec.length() && spec.charAt(i + 1) == ',') {
                cur.append(',');
                i++;
            } else {
                out.add(cur.toString());
                cur.setLength(0);
            }
        }
        out.add(cur.toString());
        return out.toArray(new String[0]);
    }

    /** The value of the last {@code name=on|off} or bare {@code name} (on), or {@code dflt}. */
    public boolean flag(String name, boolean dflt) {
        boolean v = dflt;
        for (CpuOption o : options) {
            if (o.name().equals(name)) v = o.on();
        }
        return v;
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
        if (SVM_FLAGS.contains(name)) {
            throw new CpuModelException("-cpu option '" + raw.trim() + "' is not supported: vmm does not model"
                    + " CPUID 0x8000000A (nested SVM features); 'svm' itself is CPUID 0x80000001 ECX bit 2");
        }
        if (name.startsWith("vmx-")) {
            throw new CpuModelException("-cpu option '" + raw.trim() + "' is not supported: vmm does not model"
                    + " the VMX capability MSRs; 'vmx' itself is CPUID 1 ECX bit 5");
        }
        if (CpuProperty.byName(name).isPresent()) {
            throw new CpuModelException("-cpu option '" + raw.trim() + "' needs a value ("
                    + CpuProperty.byName(name).get().qemuName() + "=...)");
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
        for (CpuProperty p : CpuProperty.values()) all.add(p.qemuName());
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
