package dev.vmm.startup;

import java.util.ArrayList;
import java.util.List;

/**
 * Moments of one process's start (option parsing done, /dev/kvm open, RAM mapped, kernel loaded,
 * first KVM_RUN, ...), recorded by the code that reaches them so that {@code vmm run --timings}
 * and {@code bench/startup} can split the start into phases from numbers rather than guesses.
 *
 * <p>A mark is a name and {@link System#nanoTime}: cheap enough to be always on (a dozen per
 * process), and kept in plain JDK classes that are loaded anyway, so recording does not itself
 * move the figures it measures. Only the first mark of a name counts: a reset's second boot or a
 * second vCPU's first KVM_RUN is not the start.
 */
public final class StartupClock {
    /** One recorded moment. */
    public record Mark(String name, long nanoTime) {
    }

    private static final List<Mark> MARKS = new ArrayList<>(16);

    private StartupClock() {
    }

    /** Records {@code name} now, unless it was recorded before. */
    public static void mark(String name) {
        long now = System.nanoTime();
        synchronized (MARKS) {
            for (Mark m : MARKS) {
                if (m.name().equals(name)) return;
            }
            MARKS.add(new Mark(name, now));
        }
    }

    /** The marks so far, in the order they were reached. */
    public static List<Mark> marks() {
        synchronized (MARKS) {
            return List.copyOf(MARKS);
        }
    }
}
