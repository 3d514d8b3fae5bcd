package dev.vmm.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * A running guest: a KVM VM booted in this JVM, its serial console (COM1) collected. Wait for a
 * console line or for the end, then {@link #close()} it, best with try-with-resources:
 *
 * <pre>{@code
 * try (Guest guest = Guest.builder().testKernel().cpus(2).cpu("host,-kvm-pv-eoi").start()) {
 *     guest.awaitLine(Pattern.compile("^# cpus online: 2"), Duration.ofSeconds(30));
 *     GuestExit exit = guest.awaitExit(Duration.ofSeconds(60));
 * }
 * }</pre>
 *
 * <p>Every exception is unchecked: {@link VmmException} when something fails,
 * {@link GuestTimeoutException} when a wait runs out. A thread interrupted while waiting keeps its
 * interrupt flag and gets a {@link VmmException}. Methods are safe to call from any thread.
 */
public final class Guest implements AutoCloseable {
    private final MachineBridge machine;
    private final SerialConsole console;
    private final String warnings;
    private final CompletableFuture<GuestExit> exit = new CompletableFuture<>();
    private volatile boolean closed;

    private Guest(MachineBridge machine, SerialConsole console, String warnings) {
        this.machine = machine;
        this.console = console;
        this.warnings = warnings;
    }

    /** @return a builder for a new guest, with the defaults listed on {@link GuestBuilder} */
    public static GuestBuilder builder() {
        return new GuestBuilder();
    }

    static Guest start(GuestBuilder spec) {
        SerialConsole console = new SerialConsole();
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        MachineBridge machine = MachineBridge.create(spec, console, warnings);
        Guest guest = new Guest(machine, console, warnings.toString(StandardCharsets.UTF_8));
        Thread runner = new Thread(guest::runToEnd, "vmm-guest");
        runner.setDaemon(true);
        runner.start();
        return guest;
    }

    private void runToEnd() {
        try {
            exit.complete(machine.run());
        } catch (InterruptedException e) {
            exit.complete(new GuestExit.Stopped());
        } catch (RuntimeException | Error e) {
            exit.completeExceptionally(e);
        } finally {
            console.end();
        }
    }

    /**
     * Waits until a serial line printed so far or later contains a match of {@code pattern}
     * ({@link java.util.regex.Matcher#find()}; anchor it with {@code ^...$} for a whole line).
     *
     * @param pattern what to look for in each line (without its line end)
     * @param timeout how long to wait
     * @return the first matching line
     * @throws GuestTimeoutException if none came in time
     * @throws VmmException if the guest ended without printing one
     */
    public String awaitLine(Pattern pattern, Duration timeout) {
        Objects.requireNonNull(pattern, "pattern");
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            return console.awaitLine(pattern, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmmException("interrupted while waiting for /" + pattern + "/", e);
        }
    }

    /**
     * Waits for the guest to end by itself.
     *
     * @param timeout how long to wait
     * @return how it ended
     * @throws GuestTimeoutException if it is still running after {@code timeout}
     * @throws VmmException if the VMM failed while running it
     */
    public GuestExit awaitExit(Duration timeout) {
        try {
            return exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new GuestTimeoutException("the guest did not end within " + timeout.toMillis() + " ms", output());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmmException("interrupted while waiting for the guest to end", e);
        } catch (ExecutionException e) {
            throw new VmmException("the VMM failed while running the guest: " + e.getCause(), e.getCause());
        }
    }

    /** @return how the guest ended, or empty while it runs */
    public Optional<GuestExit> exit() {
        return Optional.ofNullable(exit.getNow(null));
    }

    /** @return everything the guest wrote to its serial console so far (UTF-8) */
    public String output() {
        return console.text();
    }

    /**
     * @return the warnings the CPU model gave when the guest was built (QEMU's texts, e.g. a
     *     requested feature the host lacks), one per line; empty if none
     */
    public String warnings() {
        return warnings;
    }

    /**
     * Types text at the serial console: it goes to COM1's receive FIFO.
     *
     * @param text the characters to send (UTF-8)
     */
    public void type(String text) {
        machine.sendInput(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Stops the guest if it still runs (it then ends as {@link GuestExit.Stopped}) and frees the VM.
     * Safe to call more than once.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        machine.close();
        try {
            exit.get(5, TimeUnit.SECONDS); // the run thread ends once every vCPU has left KVM_RUN
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // closing anyway: the VM is already freed
        }
    }
}
