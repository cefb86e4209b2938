package dev.twinstep.devices.net.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.twinstep.devices.net.NetStats;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RxFrameQueueTest {
    @Test
    void shouldAccountForEveryFrameOfferedFromManyThreadsAsQueuedOrDropped() throws InterruptedException {
        ConcurrentLinkedQueue<Runnable> posted = new ConcurrentLinkedQueue<>();
        NetStats stats = new NetStats();
        AtomicInteger drains = new AtomicInteger();
        RxFrameQueue queue = new RxFrameQueue(100, posted::add, drains::incrementAndGet, stats);
        AtomicInteger accepted = new AtomicInteger();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                byte[] frame = new byte[64];
                for (int i = 0; i < 1000; i++) {
                    if (queue.offer(frame, 0, frame.length)) {
                        accepted.incrementAndGet();
                    }
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(100, accepted.get());
        assertEquals(3900, queue.dropped());
        assertEquals(3900, stats.framesDropped.get());
        assertEquals(1, posted.size(), "one drain is asked for until it runs");
        posted.poll().run();
        assertEquals(1, drains.get());
        int queued = 0;
        while (queue.peek() != null) {
            queue.remove();
            queued++;
        }
        assertEquals(100, queued);
        assertNull(queue.peek());
    }

    @Test
    void shouldCopyTheFrameBeforeOfferReturns() {
        RxFrameQueue queue = new RxFrameQueue(4, task -> { }, () -> { }, null);
        byte[] frame = {1, 2, 3, 4, 5};
        queue.offer(frame, 1, 3);
        frame[2] = 99;
        assertEquals(3, queue.peek().length);
        assertEquals(3, queue.peek()[1]);
    }
}
