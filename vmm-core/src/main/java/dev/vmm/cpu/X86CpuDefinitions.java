package dev.vmm.cpu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * QEMU's named x86 CPU models and their aliases, as listed in {@code qemu-x86-models.txt} (restated
 * from QEMU 7.2's target/i386/cpu.c builtin_x86_defs; the file says how). A data file rather than
 * Java so that one model reads as QEMU's table does: one line per CPUID word, flags by name.
 */
public final class X86CpuDefinitions {
    private static final String RESOURCE = "qemu-x86-models.txt";

    /** Versioned models in file order. */
    private static final Map<String, X86CpuDefinition> MODELS = new LinkedHashMap<>();
    /** QEMU's version notes for -cpu help ("ARCH_CAPABILITIES, no TSX"), by versioned name. */
    private static final Map<String, String> NOTES = new LinkedHashMap<>();
    /** Alias -> versioned name ("IvyBridge" -> "IvyBridge-v1", "Haswell-noTSX" -> "Haswell-v2"). */
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();

    static {
        try (InputStream in = X86CpuDefinitions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " missing from the classpath");
            load(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private X86CpuDefinitions() {
    }

    /** The model a {@code -cpu} name selects, aliases resolved; QEMU's names are case-sensitive. */
    public static Optional<X86CpuDefinition> find(String name) {
        String versioned = ALIASES.getOrDefault(name, name);
        return Optional.ofNullable(MODELS.get(versioned));
    }

    /** The versioned name an alias stands for, or empty when {@code name} is not an alias. */
    public static Optional<String> aliasOf(String name) {
        return Optional.ofNullable(ALIASES.get(name));
    }

    /**
     * For a bare family name that QEMU resolves by machine type ("IvyBridge", alias of -v1 on pc and
     * q35), its latest version ("IvyBridge-v2"): what QEMU 7.2's microvm machine picks. Any other name
     * is returned unchanged.
     */
    public static String latestVersion(String name) {
        if (!(name + "-v1").equals(ALIASES.get(name))) return name;
        String latest = name + "-v1";
        for (int v = 2; MODELS.containsKey(name + "-v" + v); v++) latest = name + "-v" + v;
        return latest;
    }

    /** {@code -cpu} text with its model name replaced by {@link #latestVersion}, options untouched. */
    public static String withLatestVersion(String cpuSpec) {
        int comma = cpuSpec.indexOf(',');
        String model = comma < 0 ? cpuSpec : cpuSpec.substring(0, comma);
        return latestVersion(model.trim()) + (comma < 0 ? "" : cpuSpec.substring(comma));
    }

    public static List<X86CpuDefinition> all() {
        return List.copyOf(MODELS.values());
    }

    /**
     * Every table name with QEMU 7.2's {@code -cpu help} description, in its order (byte order of the
     * names): the model-id with the version's note in brackets, "(alias of X)", or for the bare family
     * name "(alias configured by machine type)" — vmm resolves those to -v1, as QEMU 7.2's machines do.
     */
    public static Map<String, String> helpLines() {
        List<String> names = new ArrayList<>(MODELS.keySet());
        names.addAll(ALIASES.keySet());
        Collections.sort(names);
        Map<String, String> out = new LinkedHashMap<>();
        for (String n : names) {
            String alias = ALIASES.get(n);
            String desc;
            if (alias == null) {
                String note = NOTES.get(n);
                desc = MODELS.get(n).modelId() + (note == null ? "" : " [" + note + "]");
            } else if (alias.equals(n + "-v1")) {
                desc = "(alias configured by machine type)";
            } else {
                desc = "(alias of " + alias + ")";
            }
            out.put(n, desc);
        }
        return out;
    }

    private static void load(BufferedReader r) throws IOException {
        Builder b = null;
        String line;
        int no = 0;
        while ((line = r.readLine()) != null) {
            no++;
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] t = line.split(" ");
            switch (t[0]) {
                case "model":
                    if (b != null) add(b.build());
                    b = new Builder(t[1]);
                    break;
                case "alias":
                    ALIASES.put(t[1], t[2]);
                    break;
                case "vendor":
                    b.vendor = t[1];
                    break;
                case "family":
                    b.family = Integer.parseInt(t[1]);
                    b.model = Integer.parseInt(t[3]);
                    b.stepping = Integer.parseInt(t[5]);
                    break;
                case "level":
                    b.level = Integer.decode(t[1]);
                    b.xlevel = Integer.parseUnsignedInt(t[3].substring(2), 16);
                    break;
                case "model-id":
                    b.modelId = line.substring("model-id".length()).strip();
                    break;
                case "note":
                    NOTES.put(b.name, line.substring("note".length()).strip());
                    break;
                default:
                    X86FeatureWord w = X86FeatureWord.valueOf(t[0]);
                    int v = 0;
                    for (int i = 1; i < t.length; i++) {
                        X86Feature f = X86Feature.byName(t[i]).orElseThrow(() -> new IllegalStateException(
                                RESOURCE + ": unknown flag in \"" + w + "\""));
                        if (f.word() != w) throw new IllegalStateException(RESOURCE + ": " + f.name() + " is not in " + w);
                        v |= f.mask();
                    }
                    b.words.put(w, v);
            }
        }
        if (b != null) add(b.build());
        for (Map.Entry<String, String> a : ALIASES.entrySet()) {
            if (!MODELS.containsKey(a.getValue())) {
                throw new IllegalStateException(RESOURCE + ": alias " + a.getKey() + " of unknown " + a.getValue());
            }
        }
    }

    private static void add(X86CpuDefinition d) {
        MODELS.put(d.name(), d);
    }

    private static final class Builder {
        final String name;
        String vendor;
        int family;
        int model;
        int stepping;
        int level;
        int xlevel;
        String modelId = "";
        final Map<X86FeatureWord, Integer> words = new EnumMap<>(X86FeatureWord.class);

        Builder(String name) {
            this.name = name;
        }

        X86CpuDefinition build() {
            return new X86CpuDefinition(name, vendor, family, model, stepping, level, xlevel, modelId, words);
        }
    }
}
