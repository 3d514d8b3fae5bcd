package dev.vmm.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmm.cpu.PvFeature;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code vmm test} on a standard KVM: the whole PV feature matrix inside the nested kvm-amd lab
 * ({@code scripts/kvm-lab}), one lab boot, hypercalls on (vmm test's default wherever the host is
 * not kvm-pvm). Every cell must pass, or be a skip whose reason the host's own figures in the JSON
 * confirm. Measured on a 2-core machine: about 3 minutes (lab boot ~30 s, the matrix the rest).
 */
class KvmLabMatrixTest {
    /** Lab boot plus 39 test-kernel boots under TCG-emulated SVM, with room for a slow shared machine. */
    private static final int LAB_TIMEOUT_SECONDS = 900;

    record Cell(String feature, String config, String cpu, String status, String reason) {
        String where() {
            return feature + " " + config + " (-cpu " + cpu + ")";
        }
    }

    /**
     * Why a skip is not confirmed by the host's figures, or empty when it is. The only skips a
     * standard KVM may give: kvmclock-stable-bit where KVM_GET_CLOCK showed no master clock
     * ({@code hostClockStable} false: the guest may then not require PVCLOCK_TSC_STABLE_BIT); an
     * "on" cell whose bit KVM_GET_SUPPORTED_CPUID does not offer ({@code hostPvEax}); and a
     * kvm-poll-control cell whose short halts, by KVM's own halt_wait_ns, all blocked longer than the
     * host's halt_poll_ns (a slow TCG lab), so that KVM cannot have polled.
     */
    /** HaltPollEvidence.cannotShow's reason: the host's mean block and its halt_poll_ns. */
    private static final java.util.regex.Pattern SLOW_HALTS = java.util.regex.Pattern.compile(
            "polling cannot be shown here: .* blocked (\\d+) us on average .* at or above halt_poll_ns (\\d+) us");

    /**
     * HaltPollEvidence.cannotShow's other reasons: KVM counted no blocked halt (halt_wakeup 0), or
     * one (KVM grows a poll window only after a halt that blocked: halt_wakeup 1).
     */
    private static final java.util.regex.Pattern NEVER_BLOCKED = java.util.regex.Pattern.compile(
            "polling cannot be shown here: (none|only one) of the guest's ~50 us halts blocked in KVM \\(.*halt_wakeup [01],");

    static Optional<String> unconfirmedSkip(Cell c, int hostPvEax, boolean hostClockStable) {
        if (c.feature().equals("kvmclock-stable-bit") && c.reason().startsWith("host clock stability not given")) {
            return hostClockStable ? Optional.of("the host's clock was stable, yet the stable bit was not asserted")
                    : Optional.empty();
        }
        java.util.regex.Matcher slow = SLOW_HALTS.matcher(c.reason());
        if (c.feature().equals("kvm-poll-control") && NEVER_BLOCKED.matcher(c.reason()).find()) {
            return Optional.empty(); // the reason quotes KVM's halt_wakeup 0 for those halts
        }
        if (c.feature().equals("kvm-poll-control") && slow.find()) {
            return Long.parseLong(slow.group(1)) >= Long.parseLong(slow.group(2)) ? Optional.empty()
                    : Optional.of("the host's halts were shorter than its halt_poll_ns");
        }
        if (c.config().equals("on") && c.reason().startsWith("host lacks the bit")) {
            int mask = PvFeature.byName(c.feature()).orElseThrow().mask();
            return (hostPvEax & mask) == 0 ? Optional.empty()
                    : Optional.of("the host's KVM_GET_SUPPORTED_CPUID has the bit (0x" + Integer.toHexString(hostPvEax) + ")");
        }
        return Optional.of("no host figure confirms this skip on a standard KVM");
    }

    @Test
    void onlyHostConfirmedSkipsAreAccepted() {
        Cell stable = new Cell("kvmclock-stable-bit", "on", "host,+kvmclock-stable-bit", "skip",
                "host clock stability not given (pvtest.stable=1)");
        assertTrue(unconfirmedSkip(stable, 0x1fffb, false).isEmpty());
        assertTrue(unconfirmedSkip(stable, 0x1fffb, true).isPresent());
        Cell lacks = new Cell("kvm-steal-time", "on", "host,+kvm-steal-time", "skip", "host lacks the bit (...)");
        assertTrue(unconfirmedSkip(lacks, 0x1ffdb, false).isEmpty(), "bit 5 clear");
        assertTrue(unconfirmedSkip(lacks, 0x1fffb, false).isPresent(), "bit 5 set");
        String slow = "poll-control works, but polling cannot be shown here: the guest's ~50 us halts blocked 812 us on"
                + " average on this host (100 halts, halt_wait_ns 81200000), at or above halt_poll_ns 200 us, so KVM never"
                + " grows a poll window";
        assertTrue(unconfirmedSkip(new Cell("kvm-poll-control", "off", "host,-kvm-poll-control", "skip", slow), 0, false).isEmpty());
        String never = "poll-control works, but polling cannot be shown here: none of the guest's ~50 us halts blocked in KVM"
                + " (halt_attempted_poll 0, halt_exits 100, halt_wakeup 0, halt_wait_ns 0): the timer had always fired first";
        assertTrue(unconfirmedSkip(new Cell("kvm-poll-control", "on", "host,+kvm-poll-control", "skip", never), 0, false).isEmpty());
        String once = "poll-control works, but polling cannot be shown here: only one of the guest's ~50 us halts blocked in"
                + " KVM (halt_attempted_poll 0, halt_exits 100, halt_wakeup 1, halt_wait_ns 706080), and KVM grows a poll"
                + " window only after such a halt: the timer had fired first for the others on this slow host";
        assertTrue(unconfirmedSkip(new Cell("kvm-poll-control", "off", "host,-kvm-poll-control", "skip", once), 0, false).isEmpty());
        String twice = once.replace("only one", "only two").replace("halt_wakeup 1", "halt_wakeup 2");
        assertTrue(unconfirmedSkip(new Cell("kvm-poll-control", "off", "host,-kvm-poll-control", "skip", twice), 0, false).isPresent());
        Cell hypercalls = new Cell("kvm-pv-ipi", "on", "host,+kvm-pv-ipi", "skip", "hypercalls not enabled");
        assertTrue(unconfirmedSkip(hypercalls, 0x1fffb, false).isPresent());
    }

    @Test
    void everyCellPassesOnKvmAmdInTheLab() throws Exception {
        KvmLabRun.requireQemu();
        // the lab's own --timeout stops QEMU and exits 124; we wait a minute longer than that
        KvmLabRun r = KvmLabRun.run(LAB_TIMEOUT_SECONDS + 60, Map.of(), List.of("--timeout", String.valueOf(LAB_TIMEOUT_SECONDS)),
                "./vmm", "test", "--smp", "2", "--json");
        System.out.println("kvm-lab vmm test --smp 2: " + r.took().toMillis() + " ms");
        assertNotEquals(125, r.status(), "the lab itself failed\n" + r);
        assertNotEquals(124, r.status(), "the lab timed out\n" + r);
        assertTrue(r.stderr().contains("kvm-lab: kvm-amd ready"), "the lab has a standard /dev/kvm (kvm_amd)\n" + r);
        JsonNode json = new ObjectMapper().readTree(r.stdout());
        assertFalse(json.get("kvmPvm").asBoolean(), "the lab's KVM is not kvm-pvm\n" + r);
        int hostPvEax = Integer.decode(json.get("hostPvEax").asText());
        boolean stable = json.get("hostClockStable").asBoolean();
        List<String> problems = new ArrayList<>();
        List<Cell> cells = new ArrayList<>();
        for (JsonNode n : json.get("cells")) {
            Cell c = new Cell(n.get("feature").asText(), n.get("config").asText(), n.get("cpu").asText(),
                    n.get("status").asText(), n.get("reason").asText());
            cells.add(c);
            switch (c.status()) {
                case "pass" -> { }
                case "skip" -> unconfirmedSkip(c, hostPvEax, stable)
                        .ifPresent(why -> problems.add(c.where() + ": skip: " + c.reason() + " — " + why));
                default -> problems.add(c.where() + ": " + c.status() + ": " + c.reason());
            }
        }
        assertEquals(List.of(), problems, r.toString());
        long features = cells.stream().map(Cell::feature).distinct().count();
        assertTrue(features >= 13, "every PV feature the test kernel checks has a row\n" + r);
        assertEquals(features * 3, cells.size(), "features x (on, off, off+enforce)\n" + r);
        for (String f : List.of("kvm-pv-unhalt", "kvm-pv-ipi", "kvm-pv-sched-yield", "kvm-pv-eoi", "kvm-pv-tlb-flush")) {
            assertTrue(cells.stream().anyMatch(c -> c.feature().equals(f) && c.config().equals("on")
                    && c.status().equals("pass")), f + " passes on standard KVM (it skips on kvm-pvm)\n" + r);
        }
        assertEquals(0, r.status(), r.toString());
    }
}
