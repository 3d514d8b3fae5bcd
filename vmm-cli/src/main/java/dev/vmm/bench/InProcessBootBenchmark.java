package dev.vmm.bench;

import dev.vmm.api.Guest;
import dev.vmm.api.GuestBuilder;
import dev.vmm.api.GuestExit;
import dev.vmm.api.MemorySize;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * What a JUnit test pays per guest: create → boot → exit → close of the test kernel through the
 * library API, in a JVM that has already booted a few (warm). Prints the median of N runs in
 * milliseconds; bench/in-process-boot compares it with a QEMU microvm process on the same kernel.
 * Same machine as the QEMU command line there: 128 MiB, 1 vCPU, {@code -cpu host}.
 *
 * <p>Usage: {@code InProcessBootBenchmark KERNEL [RUNS] [WARMUP] [APPEND]}
 */
public final class InProcessBootBenchmark {
    private InProcessBootBenchmark() {
    }

    public static void main(String[] args) {
        GuestBuilder builder = Guest.builder().kernel(Path.of(args[0])).memory(MemorySize.ofMiB(128));
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        if (args.length > 3) builder.append(args[3]);
        for (int i = 0; i < warmup; i++) {
            bootOnce(builder);
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            ms[i] = bootOnce(builder);
        }
        Arrays.sort(ms);
        double median = runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
        System.out.printf("%.1f%n", median);
    }

    private static double bootOnce(GuestBuilder builder) {
        long start = System.nanoTime();
        GuestExit exit;
        try (Guest guest = builder.start()) {
            exit = guest.awaitExit(Duration.ofMinutes(2));
        }
        double ms = (System.nanoTime() - start) / 1e6;
        if (!(exit instanceof GuestExit.PowerOff)) { // pvtest.fault=ud ends with 1, on purpose
            throw new IllegalStateException("the benchmark guest failed: " + exit);
        }
        return ms;
    }
}
