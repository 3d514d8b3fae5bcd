package dev.vmm.cli.monitor;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps Netty's own diagnostics off the user's terminal. Without SLF4J or Log4j on the class path
 * Netty logs through java.util.logging, which prints multi-line warnings with stack traces to
 * stderr for facts about the host's network set-up that do not stop vmm (no loopback interface or
 * no network interface at all, as in a fresh network namespace or the kvm-lab guest: Netty then
 * only picks a random channel id). Every failure that matters reaches vmm as an exception, and vmm
 * reports it in one line; so only Netty's SEVERE records still print.
 */
final class NettyLogging {
    /** java.util.logging holds loggers weakly: this reference keeps the level set. */
    private static final Logger NETTY = Logger.getLogger("io.netty");

    private NettyLogging() {
    }

    /** Sets the level; call before Netty's first use (again is harmless). */
    static void quiet() {
        NETTY.setLevel(Level.SEVERE);
    }
}
