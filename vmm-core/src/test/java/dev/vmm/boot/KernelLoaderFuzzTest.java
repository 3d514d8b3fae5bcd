package dev.vmm.boot;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vmm.cpu.CpuModelException;
import dev.vmm.cpu.CpuModelSpec;

/**
 * Coverage-guided fuzz tests of every kernel parser (issue 14): ELF32/64 and the PVH note,
 * the multiboot header and both of its load paths, the bzImage setup header, the vmlinux
 * extraction with each compressor, and the -cpu parser. Each input must end in a plan or in
 * the parser's own one-line exception; anything else (an index or arithmetic exception, an
 * OutOfMemoryError, a hang) is a finding. Seeds: src/test/resources/dev/vmm/boot/KernelLoaderFuzzTestInputs/.
 */
class KernelLoaderFuzzTest {
    private static final BootOptions OPTIONS = BootOptions.of("k", "", 64L << 20, 2).withInitrd(new byte[8192]);

    @FuzzTest(maxDuration = "24h") // fuzzing runs as long as scripts/fuzz lets it
    void kernelImage(FuzzedDataProvider data) {
        byte[] image = data.consumeRemainingAsBytes(); // a seed file is the kernel as it is
        try {
            KernelLoader.load(image, OPTIONS);
        } catch (BootException e) {
            oneLine(e.getMessage());
        }
    }

    @FuzzTest(maxDuration = "24h") // fuzzing runs as long as scripts/fuzz lets it
    void vmlinuxExtraction(FuzzedDataProvider data) {
        byte[] bzImage = data.consumeRemainingAsBytes();
        try {
            VmlinuxExtractor.extract(bzImage);
        } catch (BootException e) {
            oneLine(e.getMessage());
        }
    }

    @FuzzTest(maxDuration = "24h") // fuzzing runs as long as scripts/fuzz lets it
    void cpuModelSpec(FuzzedDataProvider data) {
        String spec = data.consumeRemainingAsString(); // never null: the option always has a value
        try {
            CpuModelSpec.parse(spec);
        } catch (CpuModelException e) {
            oneLine(e.getMessage());
        }
    }

    private static void oneLine(String message) {
        if (message == null || message.isEmpty() || message.indexOf('\n') >= 0) {
            throw new AssertionError("not a one-line error: " + message);
        }
    }
}
