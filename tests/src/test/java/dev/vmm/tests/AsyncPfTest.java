package dev.vmm.tests;

import dev.vmm.pvtest.PvCheck;
import dev.vmm.tap.TapReport;
import dev.vmm.tap.TapResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real KVM asynchronous page fault: one guest page taken out of host memory on the guest's
 * request (port 0x530: with userfaultfd for anonymous RAM, {@code --evict-port}, or dropped from
 * the page cache for RAM in a file, {@code --mem-path}), then read from ring 3. The test kernel's
 * line "pv kvm-asyncpf-int: real async page fault" passes only if the "page not present" #PF and
 * the "page ready" interrupt came with the same token and the data came back.
 */
class AsyncPfTest {
    private static final String LINE = PvCheck.ASYNCPF_INT_REAL.description();
    private static final Pattern EVIDENCE = Pattern.compile(
            "^# attempt \\d+: evicted gpa 0x([0-9a-f]+) .* (\\d+) page-not-present #PF token=0x([0-9a-f]+)", Pattern.MULTILINE);
    /** What the guest writes into the page before it is evicted (pv_asyncpf.c PATTERN). */
    private static final long PATTERN = 0x5a17c0de600dfeedL;

    @BeforeEach
    void kvm() {
        RequiresKvm.check();
    }

    /** The RAM file must be on a disk filesystem (tmpfs pages cannot leave memory): the build directory. */
    private static Path ramDir() throws IOException {
        return Files.createDirectories(Path.of("target", "apf-ram")).toAbsolutePath();
    }

    /**
     * The #PFs the test kernel takes on purpose besides the async one: the kvmclock user-mode check
     * writes to its read-only alias from ring 3 (pv_kvmclock.c) and prints the fault it got. KVM
     * counts such a fault in pf_guest only when it injects it itself (shadow paging, as on kvm-pvm);
     * with EPT/NPT the guest takes it without an exit.
     */
    private static long deliberatePageFaults(VmmProcess r) {
        return r.stdout().lines().filter(l -> l.startsWith("# user-mode write to the alias ")
                && l.contains(": fault vector 14 ")).count();
    }

    private static long pfGuest(VmmProcess r) {
        return KvmStatsTest.stats(r, 0).getOrDefault("pf_guest", 0L);
    }

    private static Long baseline;

    /** vCPU 0's pf_guest in the same boot without the page-eviction port: this host's count of the rest. */
    private static long baselinePfGuest() {
        if (baseline == null) {
            VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "2", "--kvm-stats");
            assertEquals(0, r.status(), r.toString());
            assertTrue(line(r).toString().contains("# SKIP no page-eviction port"), r.toString());
            baseline = pfGuest(r);
            assertTrue(baseline <= deliberatePageFaults(r), "no #PF beyond the deliberate ones\n" + r);
        }
        return baseline;
    }

    private static TapResult line(VmmProcess r) {
        Optional<TapResult> l = TapReport.parse(r.stdout()).results().stream()
                .filter(x -> x.description().startsWith(LINE)).findFirst();
        assertTrue(l.isPresent(), "the async PF line is printed\n" + r);
        return l.get();
    }

    @Test
    void evictedPageGivesPageNotPresentAndPageReady() throws IOException {
        Path ram = ramDir().resolve("ram-" + ProcessHandle.current().pid() + ".img");
        Files.deleteIfExists(ram);
        try {
            // Page cache: the host resolves whole boots synchronously now and then (from one boot in
            // six to every boot for a while on kvm-pvm, page still out right before the read): boot
            // up to three times, then it is a SKIP with the guest's reason. userfaultfd is the
            // deterministic variant (userfaultPageGivesThePairEveryTime).
            VmmProcess r;
            TapResult l;
            int boots = 0;
            do {
                Files.deleteIfExists(ram);
                r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "2",
                        "--mem-path", ram.toString(), "--kvm-stats");
                assertEquals(0, r.status(), r.toString());
                assertTrue(TapReport.parse(r.stdout()).allPassed(), r.toString());
                l = line(r);
            } while (++boots < 3 && l.toString().contains("resolved the fault synchronously"));
            // A host that cannot drop the page (or that fetches it without an async PF) is a SKIP
            // with its reason, never a pass.
            assumeTrue(!l.toString().contains("# SKIP"), "guest: " + l.description());
            Matcher m = EVIDENCE.matcher(r.stdout());
            assertTrue(m.find(), "the evidence line\n" + r);
            assertFalse(m.find(), "one attempt with an async PF: the guest stops at the first\n" + r);
            m.reset();
            assertTrue(m.find());
            assertEquals("1", m.group(2), "one page-not-present #PF\n" + r);
            long token = Long.parseLong(m.group(3), 16);
            assertTrue(token != 0 && token != 0xffffffffL, "a real token, not the wake-up-all one\n" + r);
            // Host side: KVM counts the #PFs it injects into the guest (pf_guest): exactly one more
            // than in the same boot without the port, the async one.
            Map<String, Long> bsp = KvmStatsTest.stats(r, 0);
            assertEquals(baselinePfGuest() + 1, bsp.getOrDefault("pf_guest", 0L), "KVM injected one #PF more\n" + r);
            // The RAM really is the file: the page the guest wrote and the host evicted holds the data.
            long gpa = Long.parseLong(m.group(1), 16);
            try (RandomAccessFile f = new RandomAccessFile(ram.toFile(), "r")) {
                assertEquals(128L << 20, f.length(), "the file has the RAM's size");
                f.seek(gpa);
                assertEquals(PATTERN, Long.reverseBytes(f.readLong()), "the guest's data is in the file");
            }
        } finally {
            Files.deleteIfExists(ram);
        }
    }

    /** userfaultfd: KVM's non-blocking lookup always has to wait, so every boot gets the pair. */
    @Test
    void userfaultPageGivesThePairEveryTime() {
        for (int boot = 0; boot < 2; boot++) {
            VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--smp", "2",
                    "--evict-port", "--kvm-stats");
            assertEquals(0, r.status(), r.toString());
            assertTrue(TapReport.parse(r.stdout()).allPassed(), r.toString());
            TapResult l = line(r);
            assumeTrue(!l.toString().contains("# SKIP no page-eviction port"), "no userfaultfd: " + r.stderr());
            assertFalse(l.toString().contains("# SKIP"), r.toString());
            Matcher m = EVIDENCE.matcher(r.stdout());
            assertTrue(m.find(), "the evidence line\n" + r);
            assertTrue(r.stdout().contains("# attempt 1: "), "the first attempt\n" + r);
            assertEquals(baselinePfGuest() + 1, pfGuest(r), "KVM injected one #PF more\n" + r);
        }
    }

    @Test
    void withoutMemPathTheLineSaysWhy() {
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "--kvm-stats");
        assertEquals(0, r.status(), r.toString());
        TapResult l = line(r);
        assertTrue(l.ok() && l.toString().contains("# SKIP no page-eviction port 0x530"), r.toString());
        assertTrue(pfGuest(r) <= deliberatePageFaults(r), "no async #PF injected\n" + r);
    }

    @Test
    void withoutAsyncPfIntTheLineSaysWhy() throws IOException {
        VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(),
                "--cpu", "host,-kvm-asyncpf-int", "--mem-path", ramDir().toString());
        assertEquals(0, r.status(), r.toString());
        assertTrue(line(r).toString().contains("# SKIP kvm-asyncpf and kvm-asyncpf-int"), r.toString());
        try (var files = Files.list(ramDir())) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("vmm-ram-")),
                    "a --mem-path directory gets an unlinked file, nothing left behind");
        }
    }
}
