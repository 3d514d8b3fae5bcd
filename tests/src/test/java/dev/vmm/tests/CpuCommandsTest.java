package dev.vmm.tests;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** {@code vmm features}, {@code vmm cpuid} and {@code vmm doctor} through the launcher, on the real /dev/kvm. */
class CpuCommandsTest {
    /** kvm64's KVM defaults: kvmclock (0,3), nopiodelay, asyncpf, steal-time, pv-eoi, stable bit. */
    private static final int KVM64_DEFAULT_EAX = 0x0100007b;
    private static final int PV_IPI = 1 << 11;
    private static final List<String> FEATURES = List.of("kvmclock", "kvm-nopiodelay", "kvm-mmu", "kvm-asyncpf",
            "kvm-steal-time", "kvm-pv-eoi", "kvm-pv-unhalt", "kvm-pv-tlb-flush", "kvm-asyncpf-vmexit", "kvm-pv-ipi",
            "kvm-poll-control", "kvm-pv-sched-yield", "kvm-asyncpf-int", "kvm-msi-ext-dest-id",
            "kvmclock-stable-bit", "kvm-hint-dedicated", "kvm-pv-enforce-cpuid");

    private static VmmProcess ok(String... args) {
        VmmProcess r = VmmProcess.run(args);
        assertEquals(0, r.status(), r.toString());
        return r;
    }

    private static void assertOneLineError(VmmProcess r, String fragment) {
        r.assertOneLineError(fragment);
    }

    /** The rows of {@code features --json}, by feature name. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> featureRows(String... cpuArgs) {
        List<String> args = new ArrayList<>(List.of("features", "--json"));
        args.addAll(List.of(cpuArgs));
        VmmProcess r = ok(args.toArray(String[]::new));
        Object parsed = MiniJson.parse(r.stdout());
        assertInstanceOf(List.class, parsed, r.stdout());
        Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
        for (Object o : (List<Object>) parsed) {
            Map<String, Object> row = (Map<String, Object>) o;
            rows.put((String) row.get("name"), row);
        }
        return rows;
    }

    /** Leaf 0x40000001 EAX as KVM_GET_SUPPORTED_CPUID offers it, from the "host" column (bit 15 is ours). */
    private static boolean hostHas(Map<String, Map<String, Object>> rows, String name) {
        return Boolean.TRUE.equals(rows.get(name).get("host"));
    }

    private static int leafEax(String cpuidOutput, int leaf) {
        Matcher m = Pattern.compile("(?m)^0x" + String.format("%08x", leaf) + " 0x00 0x([0-9a-f]{8}) ")
                .matcher(cpuidOutput);
        assertTrue(m.find(), "leaf " + Integer.toHexString(leaf) + " in\n" + cpuidOutput);
        return (int) Long.parseLong(m.group(1), 16);
    }

    @Test
    void featuresTableListsEveryFeature() {
        RequiresKvm.check();
        VmmProcess r = ok("features");
        assertEquals("", r.stderr(), "host model gives no warnings\n" + r);
        List<String> lines = r.stdout().lines().toList();
        assertTrue(lines.get(0).matches("name +reg +bits +host +default +state +since +description"), lines.get(0));
        assertEquals(FEATURES.size() + 1, lines.size(), r.stdout());
        for (int i = 0; i < FEATURES.size(); i++) {
            assertTrue(lines.get(i + 1).startsWith(FEATURES.get(i) + " "), lines.get(i + 1));
        }
        assertTrue(r.stdout().matches("(?s).*\nkvmclock +EAX +0,3 +yes +on +on +2\\.6\\.26 .*"), r.stdout());
    }

    @Test
    void kvm64TurnsOnTheDefaultsOnly() {
        RequiresKvm.check();
        VmmProcess r = ok("features", "--cpu", "kvm64");
        assertTrue(r.stdout().matches("(?s).*\nkvmclock +EAX +0,3 +yes +on +on .*"), r.stdout());
        assertTrue(r.stdout().matches("(?s).*\nkvm-pv-ipi +EAX +11 +(yes|no) +off +off .*"), r.stdout());

        Map<String, Map<String, Object>> rows = featureRows("-cpu", "kvm64");
        assertEquals(Boolean.TRUE, rows.get("kvmclock").get("enabled"));
        assertEquals(Boolean.FALSE, rows.get("kvm-pv-ipi").get("enabled"));
        assertEquals(Boolean.FALSE, rows.get("kvm-pv-ipi").get("default"));
        assertEquals(Boolean.TRUE, rows.get("kvmclock").get("default"));
    }

    @Test
    void featuresJsonIsValidAndComplete() {
        RequiresKvm.check();
        Map<String, Map<String, Object>> rows = featureRows();
        assertEquals(FEATURES, new ArrayList<>(rows.keySet()));
        for (Map<String, Object> row : rows.values()) {
            assertEquals(List.of("name", "register", "bits", "host", "default", "enabled", "since", "deprecated",
                    "description"), new ArrayList<>(row.keySet()), row.toString());
            assertInstanceOf(Boolean.class, row.get("enabled"), row.toString());
        }
        assertNull(rows.get("kvm-pv-enforce-cpuid").get("host"), "a capability, not a CPUID bit");
        // host model: every CPUID feature the host offers is on, except the hint the user must ask for.
        for (String f : List.of("kvmclock", "kvm-pv-eoi", "kvm-pv-ipi", "kvm-poll-control")) {
            assertEquals(rows.get(f).get("host"), rows.get(f).get("enabled"), f);
        }
        assertEquals(Boolean.FALSE, rows.get("kvm-hint-dedicated").get("enabled"));
    }

    @Test
    void machineSplitIrqchipOffersMsiExtDestId() {
        RequiresKvm.check();
        assertEquals(Boolean.TRUE, featureRows("--cpu", "kvm64", "--machine", "kernel-irqchip=split")
                .get("kvm-msi-ext-dest-id").get("host"));
        assertEquals(Boolean.FALSE, featureRows("--cpu", "kvm64", "-machine", "kernel-irqchip=on")
                .get("kvm-msi-ext-dest-id").get("host"));
        // Without the in-kernel LAPIC there is nobody to kick: pv-unhalt is dropped with QEMU's warning.
        VmmProcess r = ok("features", "--cpu", "kvm64,+kvm-pv-unhalt", "-machine", "kernel-irqchip=off");
        assertEquals(List.of("warning: host doesn't support requested feature: CPUID.40000001H:EAX"
                + ".kvm-pv-unhalt [bit 7]"), pvWarnings(r.stderrLines()), r.toString());
        assertTrue(r.stdout().matches("(?s).*\nkvm-pv-unhalt +EAX +7 +no +off +off .*"), r.stdout());
    }

    @Test
    void cpuidShowsTheComposedKvmLeaves() {
        RequiresKvm.check();
        Map<String, Map<String, Object>> host = featureRows("--cpu", "kvm64");
        boolean hostHasKvm64Defaults = List.of("kvmclock", "kvm-nopiodelay", "kvm-asyncpf", "kvm-steal-time",
                "kvm-pv-eoi", "kvmclock-stable-bit").stream().allMatch(f -> hostHas(host, f));

        VmmProcess plain = ok("cpuid", "--cpu", "kvm64");
        int kvm64 = leafEax(plain.stdout(), 0x40000001);
        if (hostHasKvm64Defaults) {
            assertEquals(KVM64_DEFAULT_EAX, kvm64, String.format("0x%08x\n%s", kvm64, plain));
        }
        assertTrue(plain.stdout().contains(
                "0x40000000 0x00 0x40000001 0x4b4d564b 0x564b4d56 0x0000004d"), plain.stdout());
        assertTrue(plain.stdout().contains("signature \"KVMKVMKVM\""), plain.stdout());

        VmmProcess ipi = ok("cpuid", "--cpu", "kvm64,+kvm-pv-ipi");
        int withIpi = leafEax(ipi.stdout(), 0x40000001);
        if (hostHas(host, "kvm-pv-ipi")) {
            assertEquals(kvm64 | PV_IPI, withIpi, String.format("0x%08x\n%s", withIpi, ipi));
            assertTrue(ipi.stdout().matches("(?s).*\n    EAX bit 11 kvm-pv-ipi +on\n.*"), ipi.stdout());
            assertEquals(List.of(), pvWarnings(ipi.stderrLines()), ipi.toString());
        } else {
            assertEquals(kvm64, withIpi, ipi.toString());
            assertEquals(List.of("warning: host doesn't support requested feature: "
                    + "CPUID.40000001H:EAX.kvm-pv-ipi [bit 11]"), pvWarnings(ipi.stderrLines()), ipi.toString());
        }
        for (String line : List.of("    EAX bit  0 kvmclock               on", "    EAX bit  3 kvmclock               on",
                "    EAX bit 24 kvmclock-stable-bit    on", "    EAX bit  7 kvm-pv-unhalt          off",
                "    EDX bit  0 kvm-hint-dedicated     off", "    ECX bit 31 hypervisor             on")) {
            assertTrue(ipi.stdout().contains(line + "\n"), "'" + line + "' in\n" + ipi.stdout());
        }
    }

    @Test
    void cpuidPerVcpuApicId() {
        RequiresKvm.check();
        VmmProcess r = ok("cpuid", "--cpu", "kvm64", "--vcpu", "3");
        Matcher m = Pattern.compile("(?m)^0x00000001 0x00 0x[0-9a-f]{8} 0x([0-9a-f]{2})").matcher(r.stdout());
        assertTrue(m.find(), r.stdout());
        assertEquals("03", m.group(1), "initial APIC ID in CPUID.1:EBX[31:24]\n" + r.stdout());
    }

    @Test
    void cpuModelWarningsInQemuWords() {
        RequiresKvm.check();
        // msi-ext-dest-id needs split irqchip: with the default (on) the host "lacks" it.
        VmmProcess r = ok("features", "--cpu", "kvm64,+kvm-msi-ext-dest-id,kvm-pv-eoi=off,-kvm-pv-eoi");
        assertEquals(List.of("warning: Ambiguous CPU model string. Don't mix both \"-kvm-pv-eoi\" and \"kvm-pv-eoi=off\"",
                "warning: host doesn't support requested feature: CPUID.40000001H:EAX.kvm-msi-ext-dest-id [bit 15]"),
                pvWarnings(r.stderrLines()), r.toString());
        VmmProcess fatal = VmmProcess.run("cpuid", "--cpu", "kvm64,+kvm-msi-ext-dest-id,enforce");
        assertNotEquals(0, fatal.status(), fatal.toString());
        // kvm64's own flags the host lacks (if any) follow in the same line, as in QEMU
        assertTrue(fatal.stderrLines().get(fatal.stderrLines().size() - 1).startsWith(
                "vmm: Host doesn't support requested features: CPUID.40000001H:EAX.kvm-msi-ext-dest-id [bit 15]"),
                fatal.toString());
        assertEquals("", fatal.stdout());
    }

    @Test
    void unknownCpuOptionIsOneLine() {
        assertOneLineError(VmmProcess.run("features", "-cpu", "kvm64,+kvm-pv-ipo"),
                "unknown -cpu option 'kvm-pv-ipo' (did you mean 'kvm-pv-ipi'?)");
        assertEquals(2, VmmProcess.run("cpuid", "--cpu", "kvm64,+frob").status());
        assertOneLineError(VmmProcess.run("cpuid", "--machine", "kernel-irqchip=maybe"), "kernel-irqchip");
    }

    @Test
    void doctorReportsThisHost() {
        RequiresKvm.check();
        VmmProcess r = ok("doctor");
        String out = r.stdout();
        assertTrue(out.contains("/dev/kvm: accessible"), out);
        assertTrue(out.contains("KVM API version: 12"), out);
        for (String cap : List.of("IRQCHIP", "USER_MEMORY", "SET_TSS_ADDR", "EXT_CPUID", "MP_STATE", "PIT2",
                "IMMEDIATE_EXIT", "MAX_VCPUS", "NR_VCPUS", "ADJUST_CLOCK", "SPLIT_IRQCHIP", "X2APIC_API",
                "ENFORCE_PV_FEATURE_CPUID", "BINARY_STATS_FD")) {
            assertTrue(out.matches("(?s).*\n  KVM_CAP_" + cap + " +\\d+ +(yes|no).*"), cap + " in\n" + out);
        }
        assertTrue(out.matches("(?s).*\n  KVM_CAP_MAX_VCPUS +66 +yes \\(\\d+\\).*"), "value of MAX_VCPUS\n" + out);
        if (Files.isDirectory(Path.of("/sys/module/kvm_pvm"))) {
            assertTrue(out.contains("  kvm-pvm: guest kernel-mode code is emulated"), out);
            assertTrue(out.contains("cmpxchg16b"), out);
        }
        if (Files.isDirectory(Path.of("/sys/module/kvm_intel"))) assertTrue(out.contains("  kvm-intel: "), out);
        if (Files.isDirectory(Path.of("/sys/module/kvm_amd"))) assertTrue(out.contains("  kvm-amd: "), out);
        assertTrue(out.matches("(?s).*PV features offered by KVM_GET_SUPPORTED_CPUID \\(leaf 0x40000001 EAX = 0x[0-9a-f]{8}\\).*"),
                out);
        assertTrue(out.matches("(?s).*\n  kvmclock +bit 0,3 +yes.*"), out);
        assertTrue(out.contains("verdict: the VMM can run here"), out);
    }

    @Test
    void doctorWithoutAccessNamesTheFix() {
        RequiresKvm.check();
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "setpriv needs root");
        VmmProcess r = VmmProcess.run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), "doctor");
        assertNotEquals(0, r.status(), r.toString());
        assertEquals(1, r.stderrLines().size(), r.toString());
        assertTrue(r.stderr().contains("permission denied on /dev/kvm") && r.stderr().contains("'kvm' group")
                && r.stderr().contains("root"), r.toString());
        // the advice fits the node as it is: here often crw------- root root, where joining a group does not help
        assertTrue(r.stderr().contains(dev.vmm.kvm.DeviceAccessAdvice.forNode(Path.of("/dev/kvm"))), r.toString());
        assertTrue(r.stdout().contains("/dev/kvm: not accessible"), r.toString());
    }

    /** Just enough JSON (RFC 8259) to prove the output parses: objects, arrays, strings, true/false/null, numbers. */
    static final class MiniJson {
        private final String s;
        private int i;

        private MiniJson(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            MiniJson p = new MiniJson(text);
            Object v = p.value();
            p.ws();
            if (p.i != text.length()) throw p.error("trailing text");
            return v;
        }

        private AssertionError error(String what) {
            return new AssertionError("invalid JSON at " + i + ": " + what + "\n" + s);
        }

        private void ws() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++;
        }

        private void expect(char c) {
            ws();
            if (i >= s.length() || s.charAt(i) != c) throw error("expected '" + c + "'");
            i++;
        }

        private boolean peek(char c) {
            ws();
            return i < s.length() && s.charAt(i) == c;
        }

        private Object value() {
            ws();
            if (i >= s.length()) throw error("unexpected end");
            char c = s.charAt(i);
            if (c == '{') return object();
            if (c == '[') return array();
            if (c == '"') return string();
            if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("null", i)) { i += 4; return null; }
            Matcher m = Pattern.compile("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?").matcher(s).region(i, s.length());
            if (m.lookingAt()) { i = m.end(); return Double.parseDouble(m.group()); }
            throw error("unexpected '" + c + "'");
        }

        private Map<String, Object> object() {
            expect('{');
            Map<String, Object> m = new LinkedHashMap<>();
            if (peek('}')) { i++; return m; }
            do {
                ws();
                String key = string();
                if (m.containsKey(key)) throw error("duplicate key " + key);
                expect(':');
                m.put(key, value());
            } while (peek(',') && ++i > 0);
            expect('}');
            return m;
        }

        private List<Object> array() {
            expect('[');
            List<Object> l = new ArrayList<>();
            if (peek(']')) { i++; return l; }
            do {
                l.add(value());
            } while (peek(',') && ++i > 0);
            expect(']');
            return l;
        }

        private String string() {
            if (i >= s.length() || s.charAt(i) != '"') throw error("expected string");
            i++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (i >= s.length()) throw error("unterminated string");
                char c = s.charAt(i++);
                if (c == '"') return sb.toString();
                if (c < 0x20) throw error("control character in string");
                if (c != '\\') { sb.append(c); continue; }
                if (i >= s.length()) throw error("unterminated escape");
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) throw error("short \\u escape");
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }
    }

    /**
     * The warnings other than "host doesn't support" for an ordinary x86 flag: kvm64 is QEMU's kvm64, and
     * a host that lacks one of its flags (kvm-pvm here lacks pni) gets QEMU's warning for it too.
     */
    static List<String> pvWarnings(List<String> stderr) {
        return stderr.stream().filter(l -> !l.matches("warning: host doesn't support requested feature: "
                + "CPUID\\.(?!40000001H)[0-9A-F]+H:.*")).toList();
    }
}
