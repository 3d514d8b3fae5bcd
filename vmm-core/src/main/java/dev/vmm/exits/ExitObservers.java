package dev.vmm.exits;

import dev.vmm.vm.ExitObserver;

import java.util.List;

/** Several observers as one (a trace and statistics in the same run). */
public final class ExitObservers {
    private ExitObservers() {
    }

    /** null for none, the observer itself for one, a fan-out for more. */
    public static ExitObserver of(List<ExitObserver> observers) {
        if (observers.isEmpty()) {
            return null;
        }
        if (observers.size() == 1) {
            return observers.get(0);
        }
        List<ExitObserver> copy = List.copyOf(observers);
        return (vcpu, fd, exit, exitNanos, handledNanos) -> {
            for (ExitObserver o : copy) {
                o.onExit(vcpu, fd, exit, exitNanos, handledNanos);
            }
        };
    }
}
