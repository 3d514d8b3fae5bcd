package dev.vmm.api;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class SerialConsoleTest {
    private static long in(long ms) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Test
    void findsALinePrintedBeforeOrWhileWaiting() throws Exception {
        SerialConsole c = new SerialConsole();
        c.write("ok 1 - early\r\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("ok 1 - early", c.awaitLine(Pattern.compile("^ok 1"), in(1000)));
        CompletableFuture<String> later = CompletableFuture.supplyAsync(() -> {
            try {
                return c.awaitLine(Pattern.compile("late"), in(10_000));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        c.write("ok 2 - la".getBytes(StandardCharsets.UTF_8));
        Thread.sleep(50);
        assertFalse(later.isDone(), "half a line is not a line yet");
        c.write("te\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("ok 2 - late", later.get(10, TimeUnit.SECONDS));
        assertEquals("ok 1 - early\r\nok 2 - late\n", c.text());
    }

    @Test
    void timeoutAndEndAreTellingErrors() {
        SerialConsole c = new SerialConsole();
        c.write("booting".getBytes(StandardCharsets.UTF_8), 0, 7);
        GuestTimeoutException t = assertThrows(GuestTimeoutException.class, () -> c.awaitLine(Pattern.compile("ok"), in(20)));
        assertEquals("booting", t.output());
        c.end();
        assertEquals("booting", assertDoesNotThrow(() -> c.awaitLine(Pattern.compile("boot"), in(20))),
                "the unfinished last line counts once the guest ended");
        VmmException e = assertThrows(VmmException.class, () -> c.awaitLine(Pattern.compile("ok"), in(20)));
        assertTrue(e.getMessage().startsWith("the guest ended without printing a line matching /ok/"), e.getMessage());
    }
}
