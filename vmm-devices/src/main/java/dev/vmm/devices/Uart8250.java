package dev.vmm.devices;

import dev.vmm.platform.PlatformLayout;
import dev.vmm.bus.IrqLine;
import dev.vmm.bus.PioDevice;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;

/**
 * A 16550-compatible UART as guests probe it (COM1 at 0x3f8, IRQ 4). Transmit goes straight to
 * an output stream, so the transmitter is always empty: LSR reports THRE|TEMT, which guests that
 * poll before each byte rely on. Received bytes queue in a FIFO and raise the data-ready
 * interrupt when the guest enabled it. Loopback (MCR bit 4) is modelled because Linux's 8250
 * driver tests it while detecting the port.
 */
public final class Uart8250 implements PioDevice {
    public static final int COM1_BASE = PlatformLayout.COM1_PORT;
    public static final int COM1_IRQ = PlatformLayout.COM1_IRQ;
    public static final int PORT_COUNT = PlatformLayout.COM1_SIZE;

    private static final int LSR_DATA_READY = 0x01;
    private static final int LSR_THR_EMPTY = 0x20;
    private static final int LSR_TRANSMITTER_EMPTY = 0x40;
    private static final int IER_RX = 0x01;
    private static final int IER_TX = 0x02;
    private static final int IIR_NONE = 0x01;
    private static final int IIR_TX_EMPTY = 0x02;
    private static final int IIR_RX_DATA = 0x04;
    private static final int LCR_DLAB = 0x80;
    private static final int MCR_LOOPBACK = 0x10;
    private static final int RX_FIFO_LIMIT = 4096;

    private final int base;
    private final OutputStream out;
    private final IrqLine irq;
    private final ArrayDeque<Byte> rx = new ArrayDeque<>();

    private int ier, lcr, mcr, scr, dll = 0x0c, dlm;
    /** THRE interrupt pending: set when THR empties with IER_TX, cleared by reading IIR or writing THR. */
    private boolean txInterruptPending;

    public Uart8250(int base, OutputStream out, IrqLine irq) {
        this.base = base;
        this.out = out;
        this.irq = irq;
    }

    /** Queues bytes typed at the console (stdin or a socket) for the guest to read. */
    public synchronized void receive(byte[] data, int off, int len) {
        for (int i = 0; i < len && rx.size() < RX_FIFO_LIMIT; i++) {
            rx.add(data[off + i]);
        }
        updateIrq();
    }

    @Override
    public synchronized int read(int port, int size) {
        int value;
        switch (port - base) {
            case 0 -> {
                if ((lcr & LCR_DLAB) != 0) {
                    value = dll;
                } else {
                    value = rx.isEmpty() ? 0 : rx.poll() & 0xff;
                    updateIrq();
                }
            }
            case 1 -> value = (lcr & LCR_DLAB) != 0 ? dlm : ier;
            case 2 -> {
                value = interruptId() | 0xc0; // 0xc0: FIFOs enabled, as a 16550A reports
                if ((value & 0x0f) == IIR_TX_EMPTY) {
                    txInterruptPending = false;
                    updateIrq();
                }
            }
            case 3 -> value = lcr;
            case 4 -> value = mcr;
            case 5 -> value = LSR_THR_EMPTY | LSR_TRANSMITTER_EMPTY | (rx.isEmpty() ? 0 : LSR_DATA_READY);
            case 6 -> value = modemStatus();
            case 7 -> value = scr;
            default -> value = 0xff;
        }
        return value;
    }

    @Override
    public synchronized void write(int port, int size, int value) {
        value &= 0xff;
        switch (port - base) {
            case 0 -> {
                if ((lcr & LCR_DLAB) != 0) {
                    dll = value;
                } else if ((mcr & MCR_LOOPBACK) != 0) {
                    if (rx.size() < RX_FIFO_LIMIT) {
                        rx.add((byte) value);
                    }
                    txInterruptPending = (ier & IER_TX) != 0;
                    updateIrq();
                } else {
                    transmit(value);
                    txInterruptPending = (ier & IER_TX) != 0;
                    updateIrq();
                }
            }
            case 1 -> {
                if ((lcr & LCR_DLAB) != 0) {
                    dlm = value;
                } else {
                    boolean txNewlyEnabled = (value & IER_TX) != 0 && (ier & IER_TX) == 0;
                    ier = value & 0x0f;
                    if (txNewlyEnabled) {
                        txInterruptPending = true; // the transmitter is always empty
                    }
                    updateIrq();
                }
            }
            case 3 -> lcr = value;
            case 4 -> {
                mcr = value & 0x1f;
                updateIrq();
            }
            case 7 -> scr = value;
            default -> { } // FCR and read-only registers
        }
    }

    /** Wall-clock time (ms since the epoch) of the guest's first transmitted byte, 0 before it. */
    private volatile long firstByteMillis;

    public long firstByteMillis() {
        return firstByteMillis;
    }

    private void transmit(int b) {
        if (firstByteMillis == 0) {
            firstByteMillis = System.currentTimeMillis();
            dev.vmm.startup.StartupClock.mark("first serial byte");
        }
        try {
            out.write(b);
            if (b == '\n') {
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("serial console output failed", e);
        }
    }

    /** Flushes console output; the VM calls this when it stops so no partial line is lost. */
    public synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("serial console output failed", e);
        }
    }

    private int interruptId() {
        if ((ier & IER_RX) != 0 && !rx.isEmpty()) {
            return IIR_RX_DATA;
        }
        if (txInterruptPending && (ier & IER_TX) != 0) {
            return IIR_TX_EMPTY;
        }
        return IIR_NONE;
    }

    private int modemStatus() {
        if ((mcr & MCR_LOOPBACK) != 0) {
            // Loopback wires DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
            return ((mcr & 0x01) << 5) | ((mcr & 0x02) << 3) | ((mcr & 0x04) << 4) | ((mcr & 0x08) << 4);
        }
        return 0xb0; // DCD, DSR, CTS: a terminal is attached
    }

    private void updateIrq() {
        // QEMU does not gate the line on MCR.OUT2 either; guests that mask it do so at the PIC.
        irq.setLevel(interruptId() != IIR_NONE);
    }
}
