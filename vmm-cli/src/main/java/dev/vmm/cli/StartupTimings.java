package dev.vmm.cli;

import dev.vmm.startup.StartupClock;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --timings}' phase lines: the start of a run split at the {@link StartupClock} marks,
 * one line per phase with its length and its end, in ms after the JVM's start, e.g.
 * {@code vmm: timings: phase options-parsed 41.2 ms (ends at 118.0 ms)}. A phase is named by the
 * mark that ends it. Two phases come from outside the JVM: {@code launcher} (from the epoch
 * nanoseconds in {@code VMM_LAUNCH_NS}, which {@code bench/startup} sets just before it runs
 * {@code ./vmm}, to the JVM's start) and {@code jvm-start} (to {@code main}).
 */
final class StartupTimings {
    /** Environment variable with the epoch time in ns at which a script started the launcher. */
    static final String LAUNCH_ENV = "VMM_LAUNCH_NS";

    private StartupTimings() {
    }

    /** A phase: its name (the mark that ends it) and its end, in ms after the JVM's start. */
    record Phase(String name, double lengthMillis, double endMillis) {
        String line() {
            return String.format(java.util.Locale.ROOT, "vmm: timings: phase %s %.1f ms (ends at %.1f ms)",
                    name, lengthMillis, endMillis);
        }
    }

    static void print(PrintStream err) {
        long jvmStartMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
        for (Phase p : phases(StartupClock.marks(), System.nanoTime(), System.currentTimeMillis(), jvmStartMillis,
                System.getenv(LAUNCH_ENV))) {
            err.println(p.line());
        }
    }

    /**
     * The phases of {@code marks}, placed on the wall clock through one simultaneous reading of
     * both clocks ({@code nanoNow}, {@code epochMillisNow}). The JVM's start is 0; a launch time
     * that is not a number or lies after the JVM's start (a stale variable) is left out.
     */
    static List<Phase> phases(List<StartupClock.Mark> marks, long nanoNow, long epochMillisNow, long jvmStartMillis,
                              String launchNanos) {
        List<Phase> out = new ArrayList<>();
        double prev = 0;
        if (launchNanos != null) {
            try {
                double launch = Long.parseLong(launchNanos.trim()) / 1e6 - jvmStartMillis;
                if (launch <= 0 && launch > -60_000) {
                    out.add(new Phase("launcher", -launch, 0));
                }
            } catch (NumberFormatException e) {
                // not set by bench/startup: no launcher phase
            }
        }
        for (StartupClock.Mark m : marks) {
            double at = epochMillisNow - (nanoNow - m.nanoTime()) / 1e6 - jvmStartMillis;
            String name = m.name().equals("main") ? "jvm-start" : m.name().replace(' ', '-');
            out.add(new Phase(name, at - prev, at));
            prev = at;
        }
        return out;
    }
}
