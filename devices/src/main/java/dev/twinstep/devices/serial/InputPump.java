package dev.twinstep.devices.serial;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a host input stream (stdin, a socket) on its own daemon thread into a bounded byte queue that
 * the machine thread drains with {@link #poll()}. When the queue is full the reader waits, so a fast
 * host producer is slowed to the guest's pace instead of losing bytes.
 */
final class InputPump {
    private static final int CAPACITY = 4096;

    private final byte[] queue = new byte[CAPACITY];
    private int head, count;
    private boolean ended;
    private final InputStream in;
    private final String threadName;
    private Thread thread;

    InputPump(InputStream in, String threadName) {
        this.in = in;
        this.threadName = threadName;
    }

    /** Starts the reader; {@code available} is called (from the reader thread) after bytes are queued. */
    synchronized void start(Runnable available) {
        if (thread != null) {
            return;
        }
        thread = new Thread(() -> pump(available), threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void pump(Runnable available) {
        byte[] chunk = new byte[512];
        try {
            while (true) {
                int n = in.read(chunk);
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (!offer(chunk[i])) {
                        return;
                    }
                }
                available.run();
            }
        } catch (IOException e) {
            // The host side went away (socket closed, stdin gone): the guest simply gets no more input.
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    private synchronized boolean offer(byte value) {
        while (count == CAPACITY && !ended) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        if (ended) {
            return false;
        }
        queue[(head + count) % CAPACITY] = value;
        count++;
        return true;
    }

    /** The next byte, or -1 when the queue is empty. Never blocks. */
    synchronized int poll() {
        if (count == 0) {
            return -1;
        }
        int value = queue[head] & 0xFF;
        head = (head + 1) % CAPACITY;
        count--;
        if (count == CAPACITY - 1) {
            notifyAll();
        }
        return value;
    }

    /** Stops accepting bytes; the reader thread ends at its next read. */
    synchronized void stop() {
        ended = true;
        notifyAll();
    }
}
