package dev.vmm.tests;

import dev.vmm.tap.TapReport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * QEMU is the reference for the ordinary x86 flags of {@code -cpu} too: the test kernel prints the
 * CPUID words those flags live in ({@code # cpuid 0x1 ecx=… edx=…}, 0x7.0, 0xd.1, 0x80000001), and
 * for every flag named in the string the bit must be the same under QEMU and vmm, and be what was
 * asked when the host (KVM_GET_SUPPORTED_CPUID) has the flag. The rest of the words may differ
 * where QEMU's {@code -cpu host} adds or drops bits of its own; those differences are printed, not
 * asserted, and listed in docs/cpu-model.md.
 */
class X86FlagsQemuComparisonTest {
    private static final Pattern WORDS = Pattern.compile("(?m)^# cpuid (0x1|0x7\\.0|0xd\\.1|0x80000001) (.*)$");
    private static final Pattern REG = Pattern.compile("(e[a-d]x)=0x([0-9a-f]{8})");
    /** "# cpuid ident level=… xlevel=… sig=… vendor=… brand=…": the model's identity as the guest reads it. */
    private static final Pattern IDENT = Pattern.compile("(?m)^# cpuid ident .*$");
    /** -cpu properties with values: not flags, so not looked up in the flag table. */
    private static final List<String> PROPERTIES = List.of("vendor", "family", "model", "stepping", "level", "xlevel",
            "model-id", "phys-bits", "pmu", "host-phys-bits", "migratable");

    /** One row of {@code vmm features --x86 --json}. */
    private record Flag(String name, String word, int bit, boolean host) {}

    private static Map<String, Flag> table;

    @BeforeAll
    static void setUp() {
        QemuComparisonTest.requireQemu();
        table = flagTable();
    }

    /**
     * Each string goes unchanged to both. QEMU's {@code -cpu host} cannot set MSR 0x10a on this kind
     * of host (see QemuComparisonTest), so every row drops arch-capabilities, for vmm as well.
     */
    @ParameterizedTest(name = "-cpu {0} kernel-irqchip={1}")
    @CsvSource(delimiter = '|', value = {
            "host,-arch-capabilities|on",
            "host,-arch-capabilities,-cx16,-xsave|on",
            "host,-arch-capabilities,-x2apic|on",
            "host,-arch-capabilities,-sse4.2,-popcnt|on",
            "host,-arch-capabilities,+hypervisor,-avx2|on",
            "host,-arch-capabilities,-tsc-deadline,-rdtscp,lahf_lm=off|on",
            "host,-arch-capabilities,+topoext|on",
            "host,-arch-capabilities,-fxsr|on",
            // split irqchip: QEMU decides x2apic with the irqchip, so -x2apic is checked there too
            "host,-arch-capabilities|split",
            "host,-arch-capabilities,-x2apic|split",
            // QEMU's table models. A bare name is resolved by machine type: microvm (which both run
            // here) takes the latest version (IvyBridge-v2, EPYC-v3), pc and q35 take -v1.
            "IvyBridge|on",
            "EPYC|on",
            "IvyBridge-v1|on",
            "Skylake-Server-v1,-avx512f|on",
            "Opteron_G2|on",
            "EPYC-Rome-v1|on",
            "Westmere-v1|on", // not qemu32/kvm32: without long mode the 64-bit test kernel cannot start, under QEMU or vmm
            "kvm64,-x2apic|split",
            "Cascadelake-Server-v1,vendor=GenuineIntel,family=6,model=85,stepping=7,model-id=Harness CPU,level=0x14|on",
    })
    void namedFlagsMatchQemu(String cpu, String irqchip) throws Exception {
        Path kernel = RequiresKvm.testKernel();
        VmmProcess ours = VmmProcess.run("run", "--kernel", kernel.toString(), "--smp", "2", "--cpu", cpu,
                "-machine", "microvm,kernel-irqchip=" + irqchip); // QEMU's machine type: it picks the model version
        String theirs = QemuComparisonTest.runQemu(kernel, cpu, irqchip);
        TapReport a = TapReport.parse(ours.stdout());
        TapReport b = TapReport.parse(theirs);
        assertTrue(b.version().isPresent() && b.plan().isPresent(), "QEMU printed TAP:\n" + theirs);
        assertEquals(b.toString(), a.toString(), "same TAP plan and results as QEMU\nvmm: " + ours + "\nQEMU:\n" + theirs);

        Map<String, Long> v = words(ours.stdout());
        Map<String, Long> q = words(theirs);
        assertEquals(q.keySet(), v.keySet(), "the same CPUID words printed\nvmm: " + ours + "\nQEMU:\n" + theirs);

        List<String> report = new ArrayList<>();
        for (String w : v.keySet()) {
            long diff = v.get(w) ^ q.get(w);
            if (diff == 0) continue;
            report.add(String.format("%s vmm=0x%08x qemu=0x%08x: %s", w, v.get(w), q.get(w), bitNames(w, v.get(w), diff)));
        }
        System.out.println("[-cpu " + cpu + " kernel-irqchip=" + irqchip + "] vmm vs QEMU: " + (report.isEmpty() ? "identical" : String.join("; ", report)));
        if (!cpu.startsWith("host")) {
            // A table model is QEMU's definition, not the host's: every printed word and the identity
            // (level, xlevel, signature, vendor, brand) must be QEMU's, not only the flags named here.
            assertEquals(ident(theirs), ident(ours.stdout()), "level, xlevel, signature, vendor and brand as QEMU's");
            assertEquals(q, v, "every CPUID word as QEMU's for a named model: " + String.join("; ", report));
        }

        Map<String, Long> composed = composed(cpu, irqchip);
        for (Map.Entry<String, Boolean> req : requested(cpu).entrySet()) {
            Flag f = table.get(req.getKey());
            assertNotNull(f, "flag " + req.getKey() + " of '" + cpu + "' is in vmm's table");
            assertTrue(v.containsKey(f.word()), f.word() + " printed by the guest (" + f.name() + ")");
            boolean inVmm = bit(v, f), inQemu = bit(q, f);
            assertEquals(inQemu, inVmm, String.format("%s (%s bit %d) as QEMU shows it", f.name(), f.word(), f.bit()));
            if (!f.host()) continue;
            if (passedThrough(f.word(), v.get(f.word()), composed.get(f.word()))) {
                assertEquals(req.getValue(), inVmm, f.name() + " as asked, the host having it");
            } else {
                System.out.println("[-cpu " + cpu + "] " + f.name() + ": not checked against the request, the host "
                        + "rewrites " + f.word() + String.format(" (vmm gave KVM 0x%08x, the guest reads 0x%08x)",
                        composed.get(f.word()), v.get(f.word())));
            }
        }
    }

    /**
     * Whether the guest reads the word as vmm gave it to KVM, on every bit KVM_GET_SUPPORTED_CPUID
     * offers. Nested kvm-pvm does not: it answers leaf 1 EDX itself (fxsr stays, htt appears) and
     * fills in bits KVM does not offer from the real CPU, so a request is only checkable where the
     * host shows the guest what the VMM set.
     */
    private static boolean passedThrough(String word, long guest, long givenToKvm) {
        long supported = 0;
        for (Flag f : table.values()) {
            if (f.word().equals(word) && f.host() && !f.name().equals("hypervisor")) supported |= 1L << f.bit();
        }
        return ((guest ^ givenToKvm) & supported) == 0;
    }

    /** The words of {@code vmm cpuid}: what vmm hands KVM for that string and irqchip. */
    private static Map<String, Long> composed(String cpu, String irqchip) {
        VmmProcess r = VmmProcess.run("cpuid", "--cpu", cpu, "-M", "kernel-irqchip=" + irqchip);
        assertEquals(0, r.status(), r.toString());
        Map<String, Long> w = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^0x([0-9a-f]{8}) 0x([0-9a-f]{2}) 0x([0-9a-f]{8}) 0x([0-9a-f]{8}) "
                + "0x([0-9a-f]{8}) 0x([0-9a-f]{8})$").matcher(r.stdout());
        String[] regs = {"eax", "ebx", "ecx", "edx"};
        while (m.find()) {
            long leaf = Long.parseLong(m.group(1), 16), sub = Long.parseLong(m.group(2), 16);
            String name = leaf == 7 || leaf == 0xd ? String.format("0x%x.%d", leaf, sub) : String.format("0x%x", leaf);
            for (int i = 0; i < 4; i++) w.putIfAbsent(name + "." + regs[i], Long.parseLong(m.group(3 + i), 16));
        }
        return w;
    }

    private static boolean bit(Map<String, Long> words, Flag f) {
        return (words.get(f.word()) >> f.bit() & 1) != 0;
    }

    /** "+f", "-f", "f=on|off" and bare "f" after the model, QEMU's '_' read as '-'. */
    private static Map<String, Boolean> requested(String cpu) {
        Map<String, Boolean> r = new LinkedHashMap<>();
        String[] parts = cpu.split(",");
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].replace('_', '-');
            if (p.contains("=") && PROPERTIES.contains(p.substring(0, p.indexOf('=')))) continue;
            if (p.startsWith("+") || p.startsWith("-")) r.put(p.substring(1), p.startsWith("+"));
            else if (p.contains("=")) r.put(p.substring(0, p.indexOf('=')), p.endsWith("=on"));
            else r.put(p, true);
        }
        return r;
    }

    private static String ident(String out) {
        Matcher m = IDENT.matcher(out);
        assertTrue(m.find(), "ident line in:\n" + out);
        return m.group();
    }

    /** The guest's lines as "0x1.ecx" -> value. */
    private static Map<String, Long> words(String out) {
        Map<String, Long> w = new LinkedHashMap<>();
        Matcher m = WORDS.matcher(out);
        while (m.find()) {
            Matcher r = REG.matcher(m.group(2));
            while (r.find()) w.put(m.group(1) + "." + r.group(1), Long.parseLong(r.group(2), 16));
        }
        assertTrue(w.containsKey("0x1.ecx"), "cpuid lines in:\n" + out);
        return w;
    }

    /** "+name" for a bit vmm has and QEMU lacks, "-name" for the opposite; "bitN" where the table has no name. */
    private static String bitNames(String word, long vmm, long diff) {
        List<String> names = new ArrayList<>();
        for (int b = 0; b < 32; b++) {
            if ((diff >> b & 1) == 0) continue;
            final int bit = b;
            String n = nameOf(word, bit);
            // AMD repeats leaf 1 EDX bits in 0x80000001 EDX; QEMU (and so the table) names them only in leaf 1
            if (n == null && word.equals("0x80000001.edx") && nameOf("0x1.edx", bit) != null) {
                n = nameOf("0x1.edx", bit) + "(amd-alias)";
            }
            if (n == null) n = "bit" + b;
            names.add(((vmm >> b & 1) != 0 ? "+" : "-") + n);
        }
        return String.join(" ", names);
    }

    private static String nameOf(String word, int bit) {
        return table.values().stream().filter(f -> f.word().equals(word) && f.bit() == bit)
                .map(Flag::name).findFirst().orElse(null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Flag> flagTable() {
        VmmProcess r = VmmProcess.run("features", "--x86", "--json", "--cpu", "host");
        assertEquals(0, r.status(), r.toString());
        Map<String, Flag> t = new LinkedHashMap<>();
        for (Object o : (List<Object>) CpuCommandsTest.MiniJson.parse(r.stdout())) {
            Map<String, Object> row = (Map<String, Object>) o;
            String word = row.get("leaf") + "." + ((String) row.get("register")).toLowerCase();
            t.put((String) row.get("name"), new Flag((String) row.get("name"), word,
                    ((Number) row.get("bit")).intValue(), Boolean.TRUE.equals(row.get("host"))));
        }
        return t;
    }
}
