package dev.twinstep.colo.replication;

/**
 * The timing of replication.
 *
 * @param checkpointMillis time between the starts of two checkpoints (the epoch length)
 * @param heartbeatMillis how often each end sends a heartbeat when it has nothing else to send
 * @param failoverTimeoutMillis silence after which the peer counts as dead
 * @param reconnectMillis how often an unprotected primary tries to reach a secondary again
 */
public record ColoSettings(int checkpointMillis, int heartbeatMillis, int failoverTimeoutMillis, int reconnectMillis) {
    /** 100 ms epochs, 20 ms heartbeats, 200 ms timeout, reconnect every second. */
    public static final ColoSettings DEFAULT = new ColoSettings(100, 20, 200, 1000);

    /** Checks the values make sense together. */
    public ColoSettings {
        if (checkpointMillis < 1 || heartbeatMillis < 1 || reconnectMillis < 1) {
            throw new IllegalArgumentException("checkpoint interval, heartbeat and reconnect period must be positive");
        }
        if (failoverTimeoutMillis < 2 * heartbeatMillis) {
            throw new IllegalArgumentException("the failover timeout (" + failoverTimeoutMillis
                    + " ms) must be at least two heartbeats (" + 2 * heartbeatMillis + " ms)");
        }
    }
}
