package io.herald.transport.sse.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.spi.SendCallback;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class HeldBackCallbackTest {
    /** Records each outcome with whether the writer's lock was held when it arrived. */
    private static final class Recorder implements SendCallback {
        final Object writerLock = new Object();
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void completed() {
            calls.add("completed" + (Thread.holdsLock(writerLock) ? " under the lock" : ""));
        }

        @Override
        public void failed(Throwable cause) {
            calls.add("failed: " + cause.getMessage() + (Thread.holdsLock(writerLock) ? " under the lock" : ""));
        }
    }

    @Test
    void anOutcomeToldInsideTheWriteIsPassedOnOnlyOnceTheWriterLeftItsLock() {
        Recorder r = new Recorder();
        HeldBackCallback outcome = new HeldBackCallback(r);
        synchronized (r.writerLock) {
            outcome.completed();
            assertThat(r.calls).isEmpty();
        }
        outcome.release();
        assertThat(r.calls).containsExactly("completed");
    }

    @Test
    void anOutcomeToldAfterTheWriterLeftIsPassedOnAtOnce() {
        Recorder r = new Recorder();
        HeldBackCallback outcome = new HeldBackCallback(r);
        outcome.release();
        assertThat(r.calls).isEmpty();
        outcome.failed(new IOException("broken pipe"));
        assertThat(r.calls).containsExactly("failed: broken pipe");
    }

    @Test
    void onlyTheFirstOutcomeIsPassedOn() {
        Recorder r = new Recorder();
        HeldBackCallback outcome = new HeldBackCallback(r);
        outcome.failed(new IOException("write failed"));
        outcome.failed(new IOException("thrown by write"));
        outcome.release();
        outcome.completed();
        assertThat(r.calls).containsExactly("failed: write failed");
    }
}
