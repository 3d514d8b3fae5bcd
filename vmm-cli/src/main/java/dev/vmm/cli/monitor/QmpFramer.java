package dev.vmm.cli.monitor;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts a QMP byte stream into messages the way QEMU's JSON streamer does: it follows braces,
 * brackets and strings, and a value ends where its outermost bracket closes (or, for a bare
 * scalar such as {@code 123} or {@code garbage}, at the next delimiter). Whatever arrives, the
 * stream stays in sync with the client and the memory used is bounded:
 *
 * <ul>
 *   <li>a stray {@code }} or {@code ]} gives one error for the run of them, then framing goes on;</li>
 *   <li>a value longer than {@code maxBytes} is not kept: its structure is still followed, and
 *       when it ends the client gets one "exceeds the limit" error;</li>
 *   <li>scalars and malformed values are handed on as text, for the JSON parser to refuse.</li>
 * </ul>
 * Not thread-safe: one framer per connection, fed from its event loop.
 */
public final class QmpFramer {
    /** What the framer found: a complete message to parse, or an error for the client. */
    public sealed interface Frame {
        record Message(String json) implements Frame { }

        record Error(String desc) implements Frame { }
    }

    private enum State { BETWEEN, IN_VALUE, IN_SCALAR }

    private final int maxBytes;
    private final Consumer<Frame> out;
    private final ByteArrayOutputStream value = new ByteArrayOutputStream();
    private State state = State.BETWEEN;
    private int depth;
    private boolean inString;
    private boolean escaped;
    private boolean tooLong;
    private boolean strayReported;

    public QmpFramer(int maxBytes, Consumer<Frame> out) {
        this.maxBytes = maxBytes;
        this.out = out;
    }

    public void feed(byte[] data, int off, int len) {
        for (int i = off; i < off + len; i++) {
            feed(data[i]);
        }
    }

    public void feed(byte b) {
        switch (state) {
            case BETWEEN -> between(b);
            case IN_VALUE -> inValue(b);
            case IN_SCALAR -> inScalar(b);
        }
    }

    private void between(byte b) {
        if (isSpace(b)) return;
        if (b == '}' || b == ']') {
            if (!strayReported) {
                strayReported = true;
                out.accept(new Frame.Error("JSON parse error, expecting value"));
            }
            return;
        }
        strayReported = false;
        if (b == '{' || b == '[') {
            state = State.IN_VALUE;
            depth = 1;
            append(b);
        } else if (b == '"') {
            state = State.IN_VALUE; // a top-level string: ends at its closing quote
            depth = 0;
            inString = true;
            append(b);
        } else {
            state = State.IN_SCALAR;
            append(b);
        }
    }

    private void inValue(byte b) {
        append(b);
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (b == '\\') {
                escaped = true;
            } else if (b == '"') {
                inString = false;
                if (depth == 0) finish();
            }
            return;
        }
        switch (b) {
            case '"' -> inString = true;
            case '{', '[' -> depth++;
            case '}', ']' -> {
                if (--depth == 0) finish();
            }
            default -> { }
        }
    }

    private void inScalar(byte b) {
        if (isSpace(b) || b == '{' || b == '}' || b == '[' || b == ']' || b == '"' || b == ',' || b == ':') {
            finish();
            between(b);
            return;
        }
        append(b);
    }

    private void append(byte b) {
        if (tooLong) return;
        if (value.size() >= maxBytes) {
            tooLong = true;
            value.reset();
            return;
        }
        value.write(b);
    }

    private void finish() {
        Frame f = tooLong ? new Frame.Error("JSON message exceeds the limit of " + maxBytes + " bytes")
                : new Frame.Message(value.toString(StandardCharsets.UTF_8));
        value.reset(); // keeps its array, which never grows past maxBytes
        state = State.BETWEEN;
        depth = 0;
        inString = false;
        escaped = false;
        tooLong = false;
        out.accept(f);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
