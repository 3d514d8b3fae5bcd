package dev.vmm.cli;

import dev.vmm.startup.StartupClock;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StartupTimingsTest {
    private static final long JVM_START = 1_000_000L; // epoch ms

    @Test
    void phasesAreTheGapsBetweenMarksOnTheJvmClock() {
        // the clocks read together: nanoTime 5e9 is epoch ms JVM_START + 500
        List<StartupClock.Mark> marks = List.of(new StartupClock.Mark("main", 4_540_000_000L),
                new StartupClock.Mark("options parsed", 4_600_000_000L));
        List<StartupTimings.Phase> p = StartupTimings.phases(marks, 5_000_000_000L, JVM_START + 500, JVM_START,
                String.valueOf((JVM_START - 30) * 1_000_000L));
        assertEquals(List.of("launcher", "jvm-start", "options-parsed"), p.stream().map(StartupTimings.Phase::name).toList());
        assertEquals(30.0, p.get(0).lengthMillis(), 1e-6);
        assertEquals(40.0, p.get(1).lengthMillis(), 1e-6);
        assertEquals(60.0, p.get(2).lengthMillis(), 1e-6);
        assertEquals(100.0, p.get(2).endMillis(), 1e-6);
        assertEquals("vmm: timings: phase options-parsed 60.0 ms (ends at 100.0 ms)", p.get(2).line());
    }

    @Test
    void aLaunchTimeAfterTheJvmStartOrNotANumberIsLeftOut() {
        List<StartupClock.Mark> marks = List.of(new StartupClock.Mark("main", 0));
        assertEquals("jvm-start", StartupTimings.phases(marks, 0, JVM_START, JVM_START,
                String.valueOf((JVM_START + 5) * 1_000_000L)).get(0).name());
        assertEquals(1, StartupTimings.phases(marks, 0, JVM_START, JVM_START, "x").size());
    }
}
