package io.lockkit.redis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RESP2 connection for test administration (CLIENT KILL, INFO, MONITOR, SHUTDOWN),
 * independent of the Redisson client under test. Not thread-safe.
 */
final class Resp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Resp(String host, int port) {
        try {
            socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), 2000);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + host + ":" + port, e);
        }
    }

    /** Sends one command and reads its reply: String, Long, List, null, or a RuntimeException for an error reply. */
    Object call(String... args) {
        send(args);
        return read();
    }

    void timeout(int millis) {
        try {
            socket.setSoTimeout(millis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when a PING gets no reply within this connection's timeout. */
    boolean pingTimesOut() {
        send("PING");
        try {
            read();
            return false;
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof java.net.SocketTimeoutException) {
                return true;
            }
            throw e;
        }
    }

    void send(String... args) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            for (String a : args) {
                byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
                b.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
                b.write(bytes);
                b.write("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            out.write(b.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Object read() {
        try {
            String line = line();
            switch (line.charAt(0)) {
                case '+':
                    return line.substring(1);
                case '-':
                    return new RuntimeException(line.substring(1));
                case ':':
                    return Long.parseLong(line.substring(1));
                case '$': {
                    int n = Integer.parseInt(line.substring(1));
                    if (n < 0) {
                        return null;
                    }
                    byte[] data = in.readNBytes(n + 2);
                    return new String(data, 0, n, StandardCharsets.UTF_8);
                }
                case '*': {
                    int n = Integer.parseInt(line.substring(1));
                    if (n < 0) {
                        return null;
                    }
                    List<Object> items = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        items.add(read());
                    }
                    return items;
                }
                default:
                    throw new IllegalStateException("unexpected RESP line " + line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test connection
        }
    }
}
