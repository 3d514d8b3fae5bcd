package dev.vmm.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vmm.cli.monitor.ChardevSpec;
import dev.vmm.cli.monitor.QmpFramer;

/**
 * Fuzz tests of the command line's parsers and of QMP framing (issue 14): each input ends in a
 * value or the parser's own one-line error; the QMP framer never throws, never hands on a
 * message over its limit and keeps no more than the limit. Seeds: src/test/resources/dev/vmm/cli/CliParsersFuzzTestInputs/.
 */
class CliParsersFuzzTest {
    private static final int QMP_LIMIT = 4096;

    @FuzzTest(maxDuration = "24h")
    void memorySize(FuzzedDataProvider data) {
        try {
            long bytes = MemorySize.parse(data.consumeRemainingAsString());
            if (bytes < 0) throw new AssertionError("negative size " + bytes);
        } catch (UserError e) {
            oneLine(e.getMessage());
        }
    }

    @FuzzTest(maxDuration = "24h")
    void chardevSpec(FuzzedDataProvider data) {
        try {
            ChardevSpec spec = ChardevSpec.parse("--qmp", data.consumeRemainingAsString());
            if (spec.kind() == ChardevSpec.Kind.TCP && (spec.port() < 0 || spec.port() > 65535)) {
                throw new AssertionError("port out of range: " + spec);
            }
        } catch (IllegalArgumentException e) {
            oneLine(e.getMessage());
        }
    }

    @FuzzTest(maxDuration = "24h")
    void qmpFraming(FuzzedDataProvider data) {
        byte[] stream = data.consumeRemainingAsBytes();
        QmpFramer framer = new QmpFramer(QMP_LIMIT, frame -> {
            if (frame instanceof QmpFramer.Frame.Message m
                    && m.json().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > QMP_LIMIT + 4) {
                throw new AssertionError("a message over the limit was handed on");
            }
        });
        framer.feed(stream, 0, stream.length);
    }

    private static void oneLine(String message) {
        if (message == null || message.isEmpty() || message.indexOf('\n') >= 0) {
            throw new AssertionError("not a one-line error: " + message);
        }
    }
}
