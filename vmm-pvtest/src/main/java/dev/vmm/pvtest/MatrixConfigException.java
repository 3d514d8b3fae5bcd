package dev.vmm.pvtest;

/** What the user asked of the matrix cannot be run (a bad --config file, an unchecked feature): one line, no trace. */
public final class MatrixConfigException extends RuntimeException {
    public MatrixConfigException(String message) {
        super(message);
    }
}
