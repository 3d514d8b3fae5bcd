package dev.vmm.cli;

import dev.vmm.cpu.PvFeature;
import dev.vmm.pvtest.Cell;
import dev.vmm.pvtest.CheckedFeatures;
import dev.vmm.pvtest.Column;
import dev.vmm.pvtest.HostFacts;
import dev.vmm.pvtest.HypercallMode;
import dev.vmm.pvtest.MatrixConfigException;
import dev.vmm.pvtest.MatrixJson;
import dev.vmm.pvtest.MatrixJunitXml;
import dev.vmm.pvtest.MatrixProgress;
import dev.vmm.pvtest.MatrixTable;
import dev.vmm.pvtest.PvMatrix;
import dev.vmm.pvtest.UserCells;
import dev.vmm.pvtest.Verdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code vmm test}: the command over the PV conformance harness (module vmm-pvtest), which boots
 * the test kernel once per PV feature and configuration — on, off and off with enforcement — and
 * judges each cell from the guest's TAP and the host's evidence. This class only turns options
 * into the harness's typed values and prints its reports.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = {"Prove each KVM PV feature from inside the test kernel: on, off, and off with",
                "kvm-pv-enforce-cpuid. Prints one line per finished cell on stderr, then the matrix.",
                "Exit status: 0 every cell passed or skipped, 1 some cell failed, 2 a usage or I/O error."})
public final class TestCommand implements Callable<Integer> {
    @Option(names = {"--smp", "-smp"}, paramLabel = "N", defaultValue = "2", description = "vCPUs (default: ${DEFAULT-VALUE};"
            + " kvm-pv-ipi needs 2)")
    int smp;

    @Option(names = "--feature", paramLabel = "NAME", split = ",", description = "only these features (QEMU names)")
    List<String> features;

    @Option(names = {"--kernel", "-kernel"}, paramLabel = "FILE",
            description = "test kernel (default: guest-images/target/pvtest.elf next to the launcher)")
    Path kernel;

    @Option(names = "--junit", paramLabel = "FILE", description = "also write the matrix as JUnit XML")
    Path junit;

    @Option(names = "--json", description = "print the matrix as JSON instead of a table")
    boolean json;

    @Option(names = "--hypercalls", paramLabel = "auto|vmcall|vmmcall|none",
            description = "hypercall instruction for the guest (default: none on kvm-pvm, where VMCALL/VMMCALL never"
                    + " return, else auto)")
    String hypercalls;

    @Option(names = "--verbose", description = "print each boot's serial output")
    boolean verbose;

    @Option(names = "--config", paramLabel = "FILE", description = {"also run your own cells from this JSON file:",
            "{\"cells\": [{\"feature\": \"kvm-pv-eoi\", \"cpu\": \"host,+kvm-pv-eoi,-x2apic\", \"name\": \"no x2apic\",",
            "\"append\": \"\", \"smp\": 2}]} (name, append and smp optional); with --config the standard",
            "columns run only for the features given with --feature"})
    Path config;

    @Override
    public Integer call() throws Exception {
        Path k = kernel != null ? kernel : defaultKernel();
        if (!Files.isReadable(k)) {
            throw new UserError("test kernel '" + k + "' not found; build it (mvn -q -DskipTests package) or pass --kernel");
        }
        List<UserCells.UserCell> own;
        try {
            own = config != null ? UserCells.read(config) : List.of();
        } catch (MatrixConfigException e) {
            throw new UserError(e.getMessage());
        }
        List<PvFeature> chosen = chosenFeatures();
        HypercallMode requested = hypercalls == null ? null : HypercallMode.byArgument(hypercalls)
                .orElseThrow(() -> new UserError("--hypercalls " + hypercalls + ": expected auto, vmcall, vmmcall or none"));
        if (junit != null) {
            ReportFile.checkWritable(junit, "JUnit report"); // before the first boot, not after minutes of them
        }
        HostFacts host = HostFacts.probe(CpuSelection.hostCpuid(), k);
        HypercallMode hc = requested != null ? requested : host.kvmPvm() ? HypercallMode.NONE : HypercallMode.AUTO;
        MatrixProgress progress = new MatrixProgress(System.err, chosen.size() * Column.values().length + own.size(),
                System.console() != null);
        PvMatrix matrix = new PvMatrix(new PvMatrix.Options(k, smp, hc, verbose ? System.err : null), host, progress);

        List<Cell> cells = new ArrayList<>();
        for (PvFeature f : chosen) {
            for (Column c : Column.values()) cells.add(matrix.run(f, c));
        }
        List<Cell> ownCells = new ArrayList<>();
        for (UserCells.UserCell u : own) ownCells.add(matrix.run(u));
        cells.addAll(ownCells);
        if (json) {
            System.out.println(MatrixJson.of(cells, host.pvEax(), host.kvmPvm(), host.clockStable()));
        } else {
            MatrixTable.print(System.out, chosen, cells, ownCells);
        }
        if (junit != null) {
            ReportFile.write(junit, "JUnit report", MatrixJunitXml.of(cells));
        }
        return Verdict.FAIL.countIn(cells) > 0 ? 1 : 0;
    }

    /** The standard rows: --feature's, every checked feature without it, none with only --config. */
    private List<PvFeature> chosenFeatures() {
        if (features == null || features.isEmpty()) {
            return config != null ? List.of() : List.copyOf(CheckedFeatures.all());
        }
        List<PvFeature> chosen = new ArrayList<>();
        for (String n : features) {
            PvFeature f = PvFeature.byName(n).orElseThrow(() -> new UserError("unknown PV feature '" + n + "'"));
            if (!CheckedFeatures.has(f)) {
                throw new UserError("the test kernel has no check for " + f.qemuName() + "; checked: "
                        + String.join(", ", CheckedFeatures.all().stream().map(PvFeature::qemuName).toList()));
            }
            chosen.add(f);
        }
        return chosen;
    }

    /** guest-images/target/pvtest.elf relative to the jar (vmm-cli/target/vmm-cli.jar), else to the working directory. */
    static Path defaultKernel() {
        try {
            Path jar = Path.of(TestCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = jar.getParent() != null && jar.getParent().getParent() != null
                    ? jar.getParent().getParent().getParent() : null;
            if (root != null) {
                Path p = root.resolve("guest-images/target/pvtest.elf");
                if (Files.exists(p)) return p;
            }
        } catch (Exception e) {
            // fall through
        }
        return Path.of("guest-images/target/pvtest.elf");
    }
}
