package dev.vmm.tests;

import dev.vmm.tap.TapReport;
import dev.vmm.tap.TapResult;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** QEMU's x86 CPUID flags in {@code --cpu}, through the launcher on the real /dev/kvm. */
class X86CpuFlagsTest {
    private static final int CX16 = 1 << 13;
    private static final int XSAVE = 1 << 26;

    private static VmmProcess ok(String... args) {
        VmmProcess r = VmmProcess.run(args);
        assertEquals(0, r.status(), r.toString());
        return r;
    }

    /** The four registers of one leaf/sub-leaf line of {@code vmm cpuid}. */
    private static int[] leaf(String cpuidOutput, int leaf, int sub) {
        Matcher m = Pattern.compile("(?m)^0x" + String.format("%08x 0x%02x", leaf, sub)
                + " 0x([0-9a-f]{8}) 0x([0-9a-f]{8}) 0x([0-9a-f]{8}) 0x([0-9a-f]{8})$").matcher(cpuidOutput);
        assertTrue(m.find(), "leaf " + Integer.toHexString(leaf) + "." + sub + " in\n" + cpuidOutput);
        int[] regs = new int[4];
        for (int i = 0; i < 4; i++) regs[i] = (int) Long.parseLong(m.group(i + 1), 16);
        return regs;
    }

    /** The rows of {@code features --x86 --json}, by flag name. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> flagRows(String cpu) {
        VmmProcess r = ok("features", "--x86", "--json", "--cpu", cpu);
        Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
        for (Object o : (List<Object>) CpuCommandsTest.MiniJson.parse(r.stdout())) {
            Map<String, Object> row = (Map<String, Object>) o;
            rows.put((String) row.get("name"), row);
        }
        return rows;
    }

    @Test
    void cpuidShowsTheRemovedBits() {
        RequiresKvm.check();
        VmmProcess plain = ok("cpuid", "--cpu", "host");
        VmmProcess less = ok("cpuid", "--cpu", "host,-cx16,-xsave");
        assertEquals("", less.stderr(), "nothing asked for was refused\n" + less);
        int hostEcx = leaf(plain.stdout(), 1, 0)[2];
        int ecx = leaf(less.stdout(), 1, 0)[2];
        // cx16 and xsave go, nothing else: as in QEMU, avx and fma stay if the host had them.
        assertEquals(hostEcx & ~(CX16 | XSAVE), ecx, String.format("0x%08x -> 0x%08x", hostEcx, ecx));
        assertEquals(0, ecx & (1 << 27), "OSXSAVE is never set by vmm");
        assertEquals(leaf(plain.stdout(), 1, 0)[3], leaf(less.stdout(), 1, 0)[3], "EDX untouched");
        for (String line : List.of("    ECX bit 13 cx16                   off", "    ECX bit 26 xsave                  off",
                "    EAX bit  0 xsaveopt               off")) {
            assertTrue(less.stdout().contains(line + "\n"), "'" + line + "' in\n" + less.stdout());
        }
        // Without XSAVE leaf 0xD enumerates nothing.
        Matcher d = Pattern.compile("(?m)^0x0000000d 0x[0-9a-f]{2} (.*)$").matcher(less.stdout());
        int subleaves = 0;
        while (d.find()) {
            assertEquals("0x00000000 0x00000000 0x00000000 0x00000000", d.group(1), less.stdout());
            subleaves++;
        }
        if (plain.stdout().contains("\n0x0000000d 0x00 ")) assertTrue(subleaves > 0, less.stdout());
    }

    @Test
    void featuresListsEveryFlagWithHostSupport() {
        RequiresKvm.check();
        VmmProcess text = ok("features", "--x86");
        assertTrue(text.stdout().startsWith("name                 leaf       reg  bit host state\n"), text.stdout());
        Map<String, Map<String, Object>> rows = flagRows("host,-cx16");
        for (String f : List.of("fpu", "cx8", "sse2", "pni", "cx16", "x2apic", "xsave", "avx", "hypervisor", "fsgsbase",
                "avx2", "avx512f", "smap", "pku", "arch-capabilities", "syscall", "nx", "pdpe1gb", "lm", "lahf-lm",
                "xsaveopt", "xsavec", "xgetbv1", "xsaves")) {
            assertTrue(rows.containsKey(f), f + " listed");
        }
        assertEquals(List.of("name", "leaf", "register", "bit", "host", "enabled"),
                new ArrayList<>(rows.get("cx16").keySet()));
        assertEquals(Boolean.FALSE, rows.get("cx16").get("enabled"));
        // The host column is what `vmm cpuid --cpu host` shows in CPUID.1:ECX.
        int hostEcx = leaf(ok("cpuid", "--cpu", "host").stdout(), 1, 0)[2];
        assertEquals((hostEcx & CX16) != 0, rows.get("cx16").get("host"));
        assertEquals(Boolean.TRUE, rows.get("hypervisor").get("host"), "vmm provides it");
        // host model: every flag the host offers is on, except the ones asked off and, as in QEMU,
        // topoext (no_autoenable_flags), which only +topoext turns on
        Map<String, Map<String, Object>> host = flagRows("host");
        assertEquals(Boolean.FALSE, host.get("topoext").get("enabled"));
        if (Boolean.TRUE.equals(host.get("topoext").get("host"))) {
            assertEquals(Boolean.TRUE, flagRows("host,+topoext").get("topoext").get("enabled"));
        }
        for (Map.Entry<String, Map<String, Object>> e : host.entrySet()) {
            if (!e.getKey().equals("x2apic") && !e.getKey().equals("topoext")) {
                assertEquals(e.getValue().get("host"), e.getValue().get("enabled"), e.getKey());
            }
        }
    }

    @Test
    void aFlagTheHostLacksWarnsAndEnforceFails() {
        RequiresKvm.check();
        String lacking = flagRows("host").entrySet().stream()
                .filter(e -> Boolean.FALSE.equals(e.getValue().get("host"))).map(Map.Entry::getKey)
                .findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(lacking != null, "this host offers every flag");
        VmmProcess r = ok("cpuid", "--cpu", "host,+" + lacking);
        assertEquals(1, r.stderrLines().size(), r.toString());
        assertTrue(r.stderrLines().get(0).matches("warning: host doesn't support requested feature: "
                + "CPUID\\.[0-9A-F]{2,8}H:E[A-D]X\\." + Pattern.quote(lacking)
                + " \\[bit \\d+\\]"), r.toString());
        VmmProcess fatal = VmmProcess.run("cpuid", "--cpu", "host,+" + lacking + ",enforce");
        assertEquals(1, fatal.status(), fatal.toString());
        assertEquals("", fatal.stdout());
        String last = fatal.stderrLines().get(fatal.stderrLines().size() - 1);
        assertTrue(last.startsWith("vmm: Host doesn't support requested features: CPUID.")
                && last.contains("." + lacking + " [bit "), fatal.toString());
    }

    @Test
    void badFlagsAreOneLineErrors() {
        VmmProcess unknown = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--cpu", "host,-cx17");
        // a -cpu spelling error is a command-line error: status 2 for run as for cpuid/features
        unknown.assertOneLineError("unknown -cpu option 'cx17' (did you mean 'cx16'?)");
        assertEquals(2, unknown.status());
        VmmProcess value = VmmProcess.run("cpuid", "--cpu", "host,avx2=maybe");
        value.assertOneLineError("Parameter 'avx2' expects 'on' or 'off'");
        assertEquals(2, value.status());
        VmmProcess mirror = VmmProcess.run("features", "--x86", "--cpu", "host,+osxsave");
        mirror.assertOneLineError("unknown -cpu option 'osxsave'");
    }

    @Test
    void theTestKernelBootsWithFlagsRemoved() {
        RequiresKvm.check();
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "2",
                "--cpu", "host,-cx16,-xsave");
        assertEquals("", r.stderr(), r.toString());
        assertTrue(TapReport.parse(r.stdout()).allPassed(), "KVM took the table and the guest ran\n" + r);
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.stdout().contains("# cpus online: 2 of 2"), r.toString());
    }

    /**
     * The guest reads the composed CPUID.1:ECX, not the host's: the test kernel's first TAP test
     * checks the hypervisor bit, so {@code -hypervisor} must make exactly that test fail.
     */
    @Test
    void theGuestSeesTheFlagsInItsCpuid() {
        RequiresKvm.check();
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--cpu", "host,-hypervisor");
        TapReport tap = TapReport.parse(r.stdout());
        List<String> failed = tap.results().stream().filter(t -> !t.ok()).map(TapResult::description).toList();
        assertEquals(List.of("cpuid: hypervisor bit set"), failed, r.toString());
        assertEquals(1, r.status(), "the test kernel exits 1 when a test failed\n" + r);
        VmmProcess with = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--cpu", "host,+hypervisor");
        assertTrue(TapReport.parse(with.stdout()).allPassed(), with.toString());
        assertEquals(0, with.status(), with.toString());
    }

    /** QMP's query-cpu-model-expansion lists the x86 flags as properties, as QEMU's does. */
    @Test
    void qmpModelExpansionListsTheFlags(@TempDir Path tmp) throws Exception {
        RequiresKvm.check();
        Path qmp = tmp.resolve("q.sock");
        Path launcher = Path.of(System.getProperty("vmm.launcher", "../vmm")).toAbsolutePath().normalize();
        Process vmm = new ProcessBuilder(launcher.toString(), "run", "--kernel", RequiresKvm.testKernel().toString(),
                "--append", "pvtest.spin=user", "--qmp", "unix:" + qmp + ",server=on,wait=off")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("vmm.log").toFile()).start();
        try {
            for (int i = 0; i < 300 && !Files.exists(qmp); i++) Thread.sleep(50);
            assertTrue(Files.exists(qmp), "QMP socket appeared");
            try (QmpClient c = new QmpClient(qmp)) {
                c.execute("qmp_capabilities");
                c.sendRaw("{\"execute\":\"query-cpu-model-expansion\",\"arguments\":{\"type\":\"full\","
                        + "\"model\":{\"name\":\"host,-cx16,lahf_lm=off\"}}}\r\n");
                JsonNode props = c.reply().path("return").path("model").path("props");
                assertFalse(props.path("cx16").asBoolean(true), props.toString());
                assertFalse(props.path("lahf-lm").asBoolean(true), props.toString());
                assertTrue(props.path("hypervisor").asBoolean(false), props.toString());
                assertTrue(props.has("xsave") && props.has("avx2") && props.has("nx") && props.has("xsaveopt"),
                        props.toString());
                assertTrue(props.path("kvmclock").isBoolean(), "the PV switches are still there\n" + props);
                c.execute("quit");
            }
        } finally {
            if (vmm.isAlive()) vmm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
