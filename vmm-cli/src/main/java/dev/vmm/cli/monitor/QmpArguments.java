package dev.vmm.cli.monitor;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed access to a QMP command's arguments, failing with QEMU's words for a missing or mistyped one. */
final class QmpArguments {
    private QmpArguments() {
    }

    static String string(JsonNode args, String name) {
        JsonNode v = args.get(name);
        if (v == null) throw QmpError.generic("Parameter '" + name + "' is missing");
        if (!v.isTextual()) throw QmpError.generic("Invalid parameter type for '" + name + "', expected: string");
        return v.asText();
    }

    /** A JSON integer that fits 64 bits (QMP's {@code int}). */
    static long integer(JsonNode args, String name) {
        JsonNode v = args.get(name);
        if (v == null) throw QmpError.generic("Parameter '" + name + "' is missing");
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw QmpError.generic("Invalid parameter type for '" + name + "', expected: integer");
        }
        return v.asLong();
    }
}
