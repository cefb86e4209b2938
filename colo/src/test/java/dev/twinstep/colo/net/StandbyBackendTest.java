package dev.twinstep.colo.net;

import static dev.twinstep.colo.net.TestFrames.frame;
import static dev.twinstep.colo.net.TestFrames.sequencesOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class StandbyBackendTest {
    private final StandbyBackend standby = new StandbyBackend();
    private final RecordingFrameSink nic = new RecordingFrameSink();
    private final RecordingNetBackend real = new RecordingNetBackend();

    private void send(long sequence) {
        byte[] bytes = frame(sequence, 0, 60);
        standby.transmit(bytes, 0, bytes.length);
    }

    @Test
    void shouldDropAndCountFramesBeforeActivation() throws IOException {
        standby.attach(nic);
        standby.start();
        send(1);
        send(2);

        assertEquals(2, standby.framesDroppedInStandby());
        assertEquals(2, standby.stats().framesDropped.get());
        assertEquals(120, standby.stats().bytesOut.get());
        assertFalse(standby.isActive());
    }

    @Test
    void shouldForwardFramesToTheRealBackEndAfterActivation() throws IOException {
        standby.attach(nic);
        send(1);
        standby.activate(real);
        send(2);
        send(3);

        assertEquals(List.of(2L, 3L), sequencesOf(real.sentFrames()));
        assertEquals(1, standby.framesDroppedInStandby());
        assertSame(real.stats(), standby.stats());
    }

    @Test
    void shouldStartTheRealBackEndAndDeliverItsInboundFramesToTheSink() throws IOException {
        standby.attach(nic);
        standby.activate(real);

        assertTrue(real.isStarted());
        assertSame(nic, real.sink());
        byte[] inbound = frame(9, 0, 64);
        assertTrue(real.receiveFromWire(inbound));
        assertArrayEquals(inbound, nic.receivedFrames().get(0));
    }

    @Test
    void shouldPropagateAStartFailureAndStayInStandby() {
        standby.attach(nic);
        IOException portTaken = new IOException("port 5555 is in use");
        real.failingToStartWith(portTaken);

        IOException thrown = assertThrows(IOException.class, () -> standby.activate(real));
        assertSame(portTaken, thrown);
        assertFalse(standby.isActive());
        send(1);
        assertEquals(0, real.sentCount());
        assertEquals(1, standby.framesDroppedInStandby());
    }

    @Test
    void shouldRefuseActivationBeforeAttachTwiceOrAfterClose() throws IOException {
        assertThrows(IllegalStateException.class, () -> standby.activate(real));
        standby.attach(nic);
        standby.activate(real);
        assertThrows(IllegalStateException.class, () -> standby.activate(new RecordingNetBackend()));

        StandbyBackend closedStandby = new StandbyBackend();
        closedStandby.attach(nic);
        closedStandby.close();
        assertThrows(IllegalStateException.class, () -> closedStandby.activate(new RecordingNetBackend()));
    }

    @Test
    void shouldCloseTheRealBackEndWhenClosed() throws IOException {
        standby.attach(nic);
        standby.activate(real);
        standby.close();

        assertTrue(real.isClosed());
    }

    @Test
    void shouldSendEachFrameToExactlyOnePlaceWhenActivationRacesWithTransmit() throws Exception {
        standby.attach(nic);
        AtomicBoolean stop = new AtomicBoolean();
        long[] sentByGuest = new long[1];
        Thread machine = new Thread(() -> {
            while (!stop.get() || sentByGuest[0] < 1000) {
                send(sentByGuest[0]++);
            }
        }, "machine");
        machine.start();
        Thread.sleep(20);
        standby.activate(real);
        Thread.sleep(20);
        stop.set(true);
        machine.join();

        List<Long> forwarded = sequencesOf(real.sentFrames());
        long dropped = standby.framesDroppedInStandby();
        assertEquals(sentByGuest[0], dropped + forwarded.size());
        for (int i = 0; i < forwarded.size(); i++) {
            assertEquals(dropped + i, forwarded.get(i), "frames after activation go out in order");
        }
    }
}
