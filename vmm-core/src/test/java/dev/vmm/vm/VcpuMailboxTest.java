package dev.vmm.vm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A vCPU thread takes its commands in order, carries out calls on its own thread, and waits while paused. */
class VcpuMailboxTest {
    private final VcpuMailbox mailbox = new VcpuMailbox();

    @Test
    void withNoMailAVcpuRuns() throws Exception {
        assertEquals(VcpuRunState.CREATED, mailbox.state());
        assertFalse(mailbox.hasMail());
        assertEquals(VcpuRunState.RUNNING, mailbox.settle());
        assertFalse(mailbox.isParked());
    }

    @Test
    void commandsAreTakenInTheOrderTheyWerePosted() throws Exception {
        List<String> seen = new ArrayList<>();
        mailbox.post(new VcpuCommand.Call(() -> seen.add("first")));
        mailbox.post(VcpuCommand.PAUSE);
        mailbox.post(new VcpuCommand.Call(() -> seen.add("paused")));
        mailbox.post(VcpuCommand.RESUME);
        assertTrue(mailbox.hasMail());
        assertEquals(VcpuRunState.RUNNING, mailbox.settle(), "paused, then resumed before it had to wait");
        assertEquals(List.of("first", "paused"), seen);
        assertFalse(mailbox.hasMail());
    }

    @Test
    void aPausedVcpuWaitsCarriesOutCallsOnItsOwnThreadAndRunsOnResume() throws Exception {
        AtomicReference<VcpuRunState> settled = new AtomicReference<>();
        mailbox.post(VcpuCommand.PAUSE);
        Thread vcpu = new Thread(() -> {
            try {
                settled.set(mailbox.settle());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        vcpu.start();
        assertTrue(waitParked(), "parked with nothing left to take");
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        mailbox.post(new VcpuCommand.Call(() -> {
            ranOn.set(Thread.currentThread());
            ran.countDown();
        }));
        assertTrue(ran.await(5, TimeUnit.SECONDS), "a paused vCPU carries out calls");
        assertSame(vcpu, ranOn.get(), "the call ran on the vCPU's thread");
        assertTrue(waitParked(), "parked again after the call");
        assertTrue(vcpu.isAlive(), "still paused");
        mailbox.post(VcpuCommand.RESUME);
        vcpu.join(5000);
        assertEquals(VcpuRunState.RUNNING, settled.get());
    }

    @Test
    void aStopEndsAPause() throws Exception {
        mailbox.post(VcpuCommand.PAUSE);
        mailbox.post(VcpuCommand.STOP);
        assertEquals(VcpuRunState.STOPPED, mailbox.settle());
        assertTrue(mailbox.isParked(), "a stopped vCPU is outside KVM_RUN");
    }

    @Test
    void aPendingResumeIsNotParked() throws Exception {
        mailbox.post(VcpuCommand.PAUSE);
        Thread vcpu = new Thread(() -> {
            try {
                mailbox.settle();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        mailbox.post(VcpuCommand.RESUME);
        assertFalse(mailbox.isParked(), "it is about to run: a waiter must not count it as parked");
        vcpu.start();
        vcpu.join(5000);
        assertFalse(vcpu.isAlive());
    }

    @Test
    void anEndedThreadRefusesCommandsAndCarriesOutTheCallsLeftFirst() {
        List<String> seen = new ArrayList<>();
        mailbox.post(new VcpuCommand.Call(() -> seen.add("left")));
        mailbox.close();
        assertEquals(List.of("left"), seen, "a caller of a call posted before the end is not left waiting");
        assertEquals(VcpuRunState.STOPPED, mailbox.state());
        assertFalse(mailbox.post(VcpuCommand.RESUME));
        assertFalse(mailbox.hasMail());
    }

    private boolean waitParked() throws InterruptedException {
        for (int i = 0; i < 100 && !mailbox.isParked(); i++) {
            mailbox.awaitParked(50);
        }
        return mailbox.isParked();
    }
}
