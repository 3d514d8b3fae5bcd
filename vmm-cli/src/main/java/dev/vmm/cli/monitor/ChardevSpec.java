package dev.vmm.cli.monitor;

import java.nio.file.Path;

/**
 * A socket in QEMU's chardev spelling: {@code unix:PATH,server=on,wait=off},
 * {@code tcp:HOST:PORT,server=on,wait=off} or {@code telnet:HOST:PORT,…}. vmm is always the
 * server and never waits for a client before starting the guest.
 */
public record ChardevSpec(Kind kind, Path path, String host, int port) {
    public enum Kind { UNIX, TCP }

    public static ChardevSpec parse(String option, String text) {
        String[] parts = text.split(",");
        String address = parts[0];
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            switch (p) {
                case "server", "server=on", "server=yes", "wait=off", "nowait", "wait=no", "" -> { }
                case "server=off", "server=no" -> throw new IllegalArgumentException(
                        option + " " + text + ": vmm only listens (server=on); it does not connect out");
                case "wait=on", "wait", "wait=yes" -> throw new IllegalArgumentException(
                        option + " " + text + ": wait=on is not supported; use wait=off");
                default -> throw new IllegalArgumentException(option + " " + text + ": unknown socket option '" + p + "'");
            }
        }
        if (address.startsWith("unix:")) {
            String path = address.substring(5);
            if (path.isEmpty()) {
                throw new IllegalArgumentException(option + " " + text + ": missing socket path after 'unix:'");
            }
            return new ChardevSpec(Kind.UNIX, Path.of(path), null, 0);
        }
        String rest;
        if (address.startsWith("tcp:")) {
            rest = address.substring(4);
        } else if (address.startsWith("telnet:")) {
            rest = address.substring(7);
        } else {
            throw new IllegalArgumentException(option + " " + text + ": expected unix:PATH, tcp:HOST:PORT or telnet:HOST:PORT");
        }
        int colon = rest.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(option + " " + text + ": expected HOST:PORT");
        }
        String host = rest.substring(0, colon).isEmpty() ? "0.0.0.0" : rest.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(rest.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + text + ": port '" + rest.substring(colon + 1) + "' is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(option + " " + text + ": port " + port + " out of range");
        }
        return new ChardevSpec(Kind.TCP, null, host, port);
    }

    @Override
    public String toString() {
        return kind == Kind.UNIX ? "unix:" + path : "tcp:" + host + ":" + port;
    }
}
