package io.herald.transport.jakarta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.spi.OutboundFrame;
import io.herald.spi.SendCallback;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The writer of an upgraded connection against a stream scripted the way the servlet API lets a container
 * behave (not ready until it calls {@code onWritePossible}; writes from any one thread at a time), to pin
 * down the hand-offs between the threads that send and the container's thread: one writer at a time,
 * every job reported once. Real containers run it in {@code TomcatUpgradeTransportIT}.
 */
class UpgradeWriterTest {
    private static final byte[] PONG_7 = {(byte) 0x8A, 1, 7};

    /** A servlet output stream that records frames and whether two threads ever wrote at once. */
    private static final class ScriptedStream extends ServletOutputStream {
        final List<byte[]> written = new CopyOnWriteArrayList<>();
        final List<String> writers = new CopyOnWriteArrayList<>();
        final AtomicInteger writing = new AtomicInteger();
        volatile boolean overlapped;
        volatile boolean ready = true;
        volatile Consumer<byte[]> beforeWrite = b -> { };

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (writing.incrementAndGet() > 1) {
                overlapped = true;
            }
            try {
                byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
                writers.add(Thread.currentThread().getName());
                beforeWrite.accept(copy);
                written.add(copy);
            } finally {
                writing.decrementAndGet();
            }
        }
    }

    /** Counts the reports of one batch. */
    private static final class Reports implements SendCallback {
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        volatile Runnable onCompleted = () -> { };

        @Override
        public void completed() {
            completed.incrementAndGet();
            onCompleted.run();
        }

        @Override
        public void failed(Throwable cause) {
            failed.incrementAndGet();
        }
    }

    private static List<OutboundFrame> event(String text) {
        return List.of(OutboundFrame.message(text.getBytes(StandardCharsets.UTF_8), false));
    }

    @Test
    void aBatchWaitsUntilTheContainerSaysTheStreamIsReadyAndIsReportedOnceWritten() {
        ScriptedStream out = new ScriptedStream();
        UpgradeWriter writer = new UpgradeWriter(out, cause -> { });
        out.ready = false;
        Reports reports = new Reports();
        writer.send(event("{\"a\":1}"), reports);
        assertThat(out.written).isEmpty();
        assertThat(reports.completed).hasValue(0);
        out.ready = true;
        writer.onWritePossible();
        assertThat(out.written).hasSize(1);
        assertThat(reports.completed).hasValue(1);
        assertThat(reports.failed).hasValue(0);
    }

    @Test
    void aPongAskedForWhileTheWriterIsBetweenJobsIsWrittenByThatWriterNotBesideIt() throws Exception {
        ScriptedStream out = new ScriptedStream();
        UpgradeWriter writer = new UpgradeWriter(out, cause -> { });
        CountDownLatch pongWriting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        out.beforeWrite = b -> {
            if (b[0] == (byte) 0x8A && Thread.currentThread().getName().equals("reader")) {
                // a second writer: hold it inside its write while the first one goes on
                pongWriting.countDown();
                await(release);
            }
        };
        Reports first = new Reports();
        Thread[] reader = new Thread[1];
        first.onCompleted = () -> {
            // the batch is written and reported; before the writer looks for more, the reader answers a ping
            reader[0] = new Thread(() -> writer.pong(new byte[] {7}), "reader");
            reader[0].start();
            try {
                pongWriting.await(500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        writer.send(event("{\"a\":1}"), first);
        release.countDown();
        reader[0].join(5_000);
        assertThat(out.overlapped).as("two threads wrote at once").isFalse();
        assertThat(out.writers).as("the threads that wrote").containsOnly(Thread.currentThread().getName());
        assertThat(out.written).hasSize(2);
        assertThat(out.written.get(1)).containsExactly(PONG_7);
        assertThat(first.completed).hasValue(1);
    }

    @Test
    void aBatchFailedWhileItIsBeingWrittenIsNotAlsoReportedWritten() throws Exception {
        ScriptedStream out = new ScriptedStream();
        AtomicInteger ownerTold = new AtomicInteger();
        UpgradeWriter writer = new UpgradeWriter(out, cause -> ownerTold.incrementAndGet());
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        out.beforeWrite = b -> {
            inWrite.countDown();
            await(release);
        };
        Reports reports = new Reports();
        Thread sender = new Thread(() -> writer.send(event("{\"a\":1}"), reports), "sender");
        sender.start();
        assertThat(inWrite.await(5, TimeUnit.SECONDS)).isTrue();
        // the connection ends (the client went away) while the write is under way
        writer.fail(new IOException("gone"));
        release.countDown();
        sender.join(5_000);
        assertThat(reports.failed).hasValue(1);
        assertThat(reports.completed).hasValue(0);
        assertThat(ownerTold).hasValue(1);
    }

    @Test
    void aPongNotYetBegunIsReplacedByANewerOneAndNothingIsAcceptedAfterTheCloseFrame() {
        ScriptedStream out = new ScriptedStream();
        UpgradeWriter writer = new UpgradeWriter(out, cause -> { });
        out.ready = false;
        Reports batch = new Reports();
        writer.send(event("{\"a\":1}"), batch);
        writer.pong(new byte[] {1});
        writer.pong(new byte[] {2});
        AtomicInteger closeWritten = new AtomicInteger();
        assertThat(writer.close(1000, "bye".getBytes(StandardCharsets.UTF_8), closeWritten::incrementAndGet)).isTrue();
        assertThat(writer.close(1001, new byte[0], closeWritten::incrementAndGet)).isFalse();
        Reports late = new Reports();
        writer.send(event("{\"late\":1}"), late);
        writer.pong(new byte[] {3});
        assertThat(late.failed).hasValue(1);
        out.ready = true;
        writer.onWritePossible();
        assertThat(out.written).hasSize(3);
        assertThat(out.written.get(1)).containsExactly((byte) 0x8A, 1, 2);
        assertThat(out.written.get(2)).containsExactly((byte) 0x88, 5, 0x03, (byte) 0xE8, 'b', 'y', 'e');
        assertThat(batch.completed).hasValue(1);
        assertThat(closeWritten).hasValue(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
