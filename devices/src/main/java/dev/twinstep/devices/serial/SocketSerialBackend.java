package dev.twinstep.devices.serial;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A serial line over TCP ({@code --serial tcp:HOST:PORT[,server]}): guest output is written to the
 * socket, bytes from the peer are the guest's input. As a client it connects at start; as a server it
 * waits for one connection before the guest runs, as QEMU's {@code server=on,wait=on} does. When the
 * peer goes away, output is dropped and no more input comes; the guest keeps running.
 */
public final class SocketSerialBackend implements SerialBackend {
    private final Socket socket;
    private final StreamSerialBackend stream;
    private final InputPump input;
    private boolean broken;

    private SocketSerialBackend(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.stream = new StreamSerialBackend(socket.getOutputStream(), false);
        this.input = new InputPump(socket.getInputStream(), "twinstep-serial-tcp");
    }

    /** Connects to {@code host:port}. */
    public static SocketSerialBackend connect(String host, int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(host, port));
        return new SocketSerialBackend(socket);
    }

    /**
     * Listens on {@code host:port} and waits for one peer; {@code listening} is told the bound port
     * (useful with port 0) before the wait starts.
     */
    public static SocketSerialBackend serve(String host, int port, java.util.function.IntConsumer listening)
            throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(host, port), 1);
            listening.accept(server.getLocalPort());
            return new SocketSerialBackend(server.accept());
        }
    }

    @Override
    public void transmit(int value) {
        if (broken) {
            return;
        }
        try {
            stream.transmit(value);
        } catch (UncheckedIOException e) {
            broken = true;
        }
    }

    @Override
    public void flush() {
        if (broken) {
            return;
        }
        try {
            stream.flush();
        } catch (UncheckedIOException e) {
            broken = true;
        }
    }

    @Override
    public boolean startInput(Runnable inputAvailable) {
        input.start(inputAvailable);
        return true;
    }

    @Override
    public int pollInput() {
        return input.poll();
    }

    @Override
    public void close() {
        flush();
        input.stop();
        try {
            socket.close();
        } catch (IOException e) {
            // Closing a socket whose peer is gone can fail; there is nothing left to release.
        }
    }
}
