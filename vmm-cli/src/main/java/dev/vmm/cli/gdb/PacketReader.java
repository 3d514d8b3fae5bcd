package dev.vmm.cli.gdb;

import java.io.ByteArrayOutputStream;

/**
 * Splits the byte stream from gdb into protocol events: acks ({@code +}/{@code -}), the interrupt
 * byte (0x03, Ctrl-C), and packets, checked and decoded. Feed it one byte at a time; a bad
 * checksum or an oversized or malformed packet becomes an event too, never an exception, so a
 * broken packet cannot end the session.
 */
public final class PacketReader {
    /** What one byte completed, if anything. */
    public sealed interface Event {
    }

    public record Packet(byte[] payload) implements Event {
    }

    public record Interrupt() implements Event {
    }

    /** The checksum did not match: gdb gets a {@code -} and resends. */
    public record BadChecksum() implements Event {
    }

    /** Too long or wrongly escaped: gdb gets an error reply. */
    public record Malformed(String why) implements Event {
    }

    private enum State { IDLE, PAYLOAD, CHECKSUM1, CHECKSUM2 }

    private final int maxLength;
    private final ByteArrayOutputStream payload = new ByteArrayOutputStream();
    private State state = State.IDLE;
    private boolean overflow;
    private int sum;
    private int expectedHigh;

    /** @param maxLength the longest payload accepted (what qSupported advertises as PacketSize) */
    public PacketReader(int maxLength) {
        this.maxLength = maxLength;
    }

    /** @return the event this byte completes, or null */
    public Event accept(int b) {
        switch (state) {
            case IDLE -> {
                if (b == '$') {
                    payload.reset();
                    overflow = false;
                    sum = 0;
                    state = State.PAYLOAD;
                } else if (b == 0x03) {
                    return new Interrupt();
                }
                // '+', '-' and noise between packets are ignored: we never resend
                return null;
            }
            case PAYLOAD -> {
                if (b == '#') {
                    state = State.CHECKSUM1;
                } else {
                    sum += b;
                    if (payload.size() < maxLength) {
                        payload.write(b);
                    } else {
                        overflow = true;
                    }
                }
                return null;
            }
            case CHECKSUM1 -> {
                expectedHigh = Character.digit(b, 16);
                state = State.CHECKSUM2;
                return null;
            }
            default -> {
                state = State.IDLE;
                int low = Character.digit(b, 16);
                if (expectedHigh < 0 || low < 0 || ((expectedHigh << 4) | low) != (sum & 0xff)) {
                    return new BadChecksum();
                }
                if (overflow) {
                    return new Malformed("packet longer than " + maxLength + " bytes");
                }
                try {
                    return new Packet(GdbPacket.decode(payload.toByteArray(), maxLength));
                } catch (IllegalArgumentException e) {
                    return new Malformed(e.getMessage());
                }
            }
        }
    }
}
