package dev.twinstep.colo.wire;

import java.util.concurrent.CompletableFuture;

/**
 * Blocking test work (a peer reading or writing a socket, a secondary serving) on a thread of its
 * own. Not the common fork-join pool: on a two-core host it may have a single thread, and two
 * blocking peers queued on it would wait for each other forever.
 */
public final class Background {
    private Background() {
    }

    /** Work that returns a value and may fail. */
    @FunctionalInterface
    public interface Task<T> {
        /** Does the work. */
        T call() throws Exception;
    }

    /** Work that may fail. */
    @FunctionalInterface
    public interface Action {
        /** Does the work. */
        void run() throws Exception;
    }

    /** Starts {@code task} on a new daemon thread; the future fails with exactly what the task threw. */
    public static <T> CompletableFuture<T> call(String name, Task<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    /** Starts {@code action} on a new daemon thread. */
    public static CompletableFuture<Void> run(String name, Action action) {
        return call(name, () -> {
            action.run();
            return null;
        });
    }
}
