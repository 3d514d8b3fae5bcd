package dev.vmm.api;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * COM1's output as the guest writes it: every byte kept, complete lines kept apart so that a
 * waiter can match them, and waiters woken on each new line and when the guest ends.
 */
final class SerialConsole extends OutputStream {
    private final ByteArrayOutputStream all = new ByteArrayOutputStream();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    @Override
    public synchronized void write(int b) {
        all.write(b);
        if (b == '\n') {
            lines.add(lineOf(partial));
            partial.reset();
            notifyAll();
        } else {
            partial.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    /** The guest will write no more: the unfinished last line counts as a line from now on. */
    synchronized void end() {
        if (!ended) {
            ended = true;
            if (partial.size() > 0) {
                lines.add(lineOf(partial));
                partial.reset();
            }
            notifyAll();
        }
    }

    synchronized String text() {
        return all.toString(StandardCharsets.UTF_8);
    }

    /**
     * Waits until a line (printed before or during the call) contains a match of {@code pattern},
     * and returns that line.
     *
     * @throws GuestTimeoutException if no such line came before the deadline
     * @throws VmmException if the guest ended without printing one
     */
    synchronized String awaitLine(Pattern pattern, long deadlineNanos) throws InterruptedException {
        int checked = 0;
        while (true) {
            for (; checked < lines.size(); checked++) {
                if (pattern.matcher(lines.get(checked)).find()) {
                    return lines.get(checked);
                }
            }
            if (ended) {
                throw new VmmException("the guest ended without printing a line matching /" + pattern
                        + "/; serial output:\n" + text());
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new GuestTimeoutException("no line matching /" + pattern + "/ in time", text());
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    private static String lineOf(ByteArrayOutputStream bytes) {
        String s = bytes.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
}
