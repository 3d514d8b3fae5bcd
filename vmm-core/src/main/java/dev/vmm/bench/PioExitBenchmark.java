package dev.vmm.bench;

import dev.vmm.boot.CpuMode;
import dev.vmm.boot.EntryState;
import dev.vmm.bus.PioDevice;
import dev.vmm.vm.BootState;
import dev.vmm.vm.Vm;
import dev.vmm.vm.VmOutcome;

import java.time.Duration;

/**
 * PIO exit round trip through the whole VMM (run loop, bus dispatch, device): a guest writes N
 * times to port 0x80, which a device ignores, then ends through port 0xf4. Prints nanoseconds
 * per exit of the best of R runs; bench/run compares it with bench/pio_baseline.c, a bare C
 * KVM_RUN loop running the identical guest. A third argument (off, stats, trace) puts an exit
 * observer on the run loop, to show what --exit-stats and --trace exits cost and that off costs nothing.
 */
public final class PioExitBenchmark {
    private static final long CODE_ADDRESS = 0x100000;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Observer observer = args.length > 2 ? Observer.valueOf(args[2].toUpperCase(java.util.Locale.ROOT)) : Observer.OFF;
        double best = Double.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            best = Math.min(best, runOnce(n, observer));
        }
        System.out.printf("%.1f%n", best);
    }

    /** What watches the exits: nothing (the run loop's hook off), --exit-stats, or --trace exits to nowhere. */
    enum Observer { OFF, STATS, TRACE }

    private static double runOnce(int n, Observer observer) throws InterruptedException {
        byte[] code = {
                (byte) 0xb9, (byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24), // mov ecx, n
                0x66, (byte) 0xba, (byte) 0x80, 0x00,                                      // mov dx, 0x80
                (byte) 0xee, 0x49, 0x75, (byte) 0xfc,                                      // out; dec; jnz
                0x31, (byte) 0xc0, (byte) 0xe7, (byte) 0xf4, (byte) 0xf4};                 // out 0xf4; hlt
        int[] exits = {0};
        try (Vm vm = Vm.create(2 << 20, 1)) {
            vm.memory().write(CODE_ADDRESS, code);
            BootState.apply(new EntryState(CpuMode.PROTECTED_32, CODE_ADDRESS, 0, 0, 0), vm.vcpu(0));
            vm.io().register(0x80, 1, new PioDevice() {
                public int read(int port, int size) { return 0xff; }
                public void write(int port, int size, int value) { exits[0]++; }
            });
            vm.io().register(0xf4, 4, new PioDevice() {
                public int read(int port, int size) { return 0xff; }
                public void write(int port, int size, int value) { vm.powerOff(value); }
            });
            switch (observer) {
                case STATS -> vm.observeExits(new dev.vmm.exits.ExitStats(1));
                case TRACE -> vm.observeExits(new dev.vmm.exits.ExitTrace(
                        new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), vm.io(), vm.mmio()));
                default -> { }
            }
            long start = System.nanoTime();
            vm.start();
            VmOutcome outcome = vm.awaitOutcome(Duration.ofMinutes(5));
            long elapsed = System.nanoTime() - start;
            if (!outcome.isPowerOff() || exits[0] != n) {
                throw new IllegalStateException("benchmark guest failed: " + outcome + ", " + exits[0] + " exits");
            }
            return (double) elapsed / n;
        }
    }
}
