package dev.vmm.api;

/**
 * What a guest was awaited for did not happen in time. The guest keeps running (close it); the
 * message ends with the serial output so far, which is also in {@link #output()}.
 */
public final class GuestTimeoutException extends VmmException {
    private final String output;

    GuestTimeoutException(String what, String output) {
        super(what + "; serial output so far:\n" + output);
        this.output = output;
    }

    /** @return the guest's serial output up to the timeout */
    public String output() {
        return output;
    }
}
