package dev.vmm.cli;

import dev.vmm.cli.monitor.ChardevSpec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * QEMU's {@code -chardev BACKEND,id=ID,...} for the back-ends vmm has: {@code stdio}, {@code null},
 * {@code file,path=P} and listening {@code socket}s ({@code path=P} or {@code host=H,port=N}, with
 * {@code server=on,wait=off}; {@code telnet=on}). {@code mux=on} and {@code signal=off} are accepted:
 * the only other user of a muxed chardev would be QEMU's human monitor, which vmm does not have.
 * Used by {@code -serial chardev:ID} and {@code -mon chardev=ID,mode=control}.
 */
record ChardevOption(String id, SerialTarget target) {

    static Map<String, SerialTarget> parseAll(Iterable<String> texts) {
        Map<String, SerialTarget> byId = new LinkedHashMap<>();
        for (String text : texts) {
            ChardevOption c = parse(text);
            if (byId.put(c.id(), c.target()) != null) {
                throw new UserError("-chardev " + text + ": duplicate chardev id '" + c.id() + "'");
            }
        }
        return byId;
    }

    static ChardevOption parse(String text) {
        String[] parts = text.split(",", -1);
        String backend = parts[0].trim();
        Map<String, String> props = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            props.put(eq < 0 ? p : p.substring(0, eq), eq < 0 ? "on" : p.substring(eq + 1));
        }
        String id = props.remove("id");
        if (id == null || id.isEmpty()) {
            throw new UserError("-chardev " + text + ": needs id=NAME");
        }
        for (String accepted : new String[] {"mux", "signal"}) {
            String value = props.remove(accepted);
            if (value != null) onOff(text, accepted, value);
        }
        SerialTarget target = switch (backend) {
            case "stdio" -> new SerialTarget.Stdio();
            case "null" -> new SerialTarget.Discard();
            case "file" -> {
                String path = props.remove("path");
                if (path == null || path.isEmpty()) throw new UserError("-chardev " + text + ": file needs path=FILE");
                yield new SerialTarget.File(Path.of(path));
            }
            case "socket" -> socket(text, props);
            default -> throw new UserError("-chardev " + text + ": back-end '" + backend
                    + "' is not supported (vmm has stdio, null, file and socket)");
        };
        if (!props.isEmpty()) {
            throw new UserError("-chardev " + text + ": unsupported option '" + props.keySet().iterator().next() + "'");
        }
        return new ChardevOption(id, target);
    }

    private static SerialTarget socket(String text, Map<String, String> props) {
        boolean telnet = props.containsKey("telnet") && onOff(text, "telnet", props.remove("telnet"));
        String server = props.remove("server");
        String wait = props.remove("wait");
        StringBuilder spec = new StringBuilder();
        String path = props.remove("path");
        String host = props.remove("host");
        String port = props.remove("port");
        if (path != null) {
            spec.append("unix:").append(path);
        } else if (port != null) {
            spec.append(telnet ? "telnet:" : "tcp:").append(host == null ? "" : host).append(':').append(port);
        } else {
            throw new UserError("-chardev " + text + ": socket needs path=FILE or host=H,port=N");
        }
        if (server != null) spec.append(",server=").append(server);
        if (wait != null) spec.append(",wait=").append(wait);
        try {
            return new SerialTarget.Socket(ChardevSpec.parse("-chardev", spec.toString()), telnet);
        } catch (IllegalArgumentException e) {
            throw new UserError("-chardev " + text + ": " + e.getMessage());
        }
    }

    private static boolean onOff(String text, String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw new UserError("-chardev " + text + ": " + key + " expects on or off, not '" + value + "'");
        };
    }
}
