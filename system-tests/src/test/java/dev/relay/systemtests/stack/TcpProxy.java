package dev.relay.systemtests.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on a free loopback port in front of one upstream server, so a test can take that
 * server off the network without touching it: {@link #down()} stops listening (connections are
 * refused) and cuts every open connection; {@link #up()} listens again on the same port. What
 * happens to each connection while up is the {@link Handler}'s business: a plain byte pipe by
 * default, an SMTP fault script in {@link SmtpFaults}.
 */
public class TcpProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TcpProxy.class);
  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

  /** What one accepted client connection gets. The proxy closes the client socket afterwards. */
  @FunctionalInterface
  public interface Handler {
    void handle(Socket client, TcpProxy proxy) throws IOException;
  }

  /** The default handler: bytes both ways, unchanged, until either side closes. */
  public static final Handler PIPE = (client, proxy) -> {
    try (Socket upstream = proxy.connectUpstream()) {
      proxy.pipe(client, upstream);
    }
  };

  private final String name;
  private final String upstreamHost;
  private final int upstreamPort;
  private final int port = Ports.free();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger threadCount = new AtomicInteger();
  private final ExecutorService threads;
  private volatile Handler handler = PIPE;
  private volatile ServerSocket listener;
  private volatile boolean closed;

  public TcpProxy(String name, String upstreamHost, int upstreamPort) {
    this.name = name;
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "proxy-" + name + "-" + threadCount.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  public TcpProxy start() {
    up();
    return this;
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  /** host:port clients connect to. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  public void handler(Handler handler) {
    this.handler = handler;
  }

  public boolean isUp() {
    return listener != null;
  }

  /** Listens again (same port); a no-op when already up. */
  public synchronized void up() {
    if (listener != null || closed) {
      return;
    }
    IOException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        listener = socket;
        threads.execute(() -> acceptLoop(socket));
        log.info("proxy {} up on {} → {}:{}", name, port, upstreamHost, upstreamPort);
        return;
      } catch (IOException e) {
        last = e; // the port may linger for a moment after down()
        Poll.sleep(java.time.Duration.ofMillis(100));
      }
    }
    throw new UncheckedIOException("proxy " + name + " cannot listen on " + port + " again", last);
  }

  /** Stops listening (new connections are refused) and cuts every open connection. */
  public synchronized void down() {
    ServerSocket socket = listener;
    listener = null;
    if (socket != null) {
      closeQuietly(socket);
    }
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
    log.info("proxy {} down (port {} refuses connections)", name, port);
  }

  private void acceptLoop(ServerSocket socket) {
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return; // closed by down() or close()
      }
      open.add(client);
      Handler current = handler;
      threads.execute(() -> {
        try {
          client.setTcpNoDelay(true);
          current.handle(client, this);
        } catch (IOException e) {
          log.debug("proxy {}: connection ended: {}", name, e.toString());
        } catch (RuntimeException e) {
          log.warn("proxy {}: handler failed", name, e);
        } finally {
          open.remove(client);
          closeQuietly(client);
        }
      });
    }
  }

  /** A connection to the upstream server, closed with the others on {@link #down()}. */
  public Socket connectUpstream() throws IOException {
    Socket upstream = new Socket();
    try {
      upstream.setTcpNoDelay(true);
      upstream.connect(new InetSocketAddress(upstreamHost, upstreamPort), CONNECT_TIMEOUT_MILLIS);
    } catch (IOException e) {
      closeQuietly(upstream);
      throw e;
    }
    open.add(upstream);
    return upstream;
  }

  /**
   * Copies client → upstream on another thread while {@code downstream} copies upstream → client
   * on this one; when either direction ends, both sockets are closed.
   */
  public void pipe(Socket client, Socket upstream, Copier downstream) throws IOException {
    threads.execute(() -> {
      try {
        copy(client.getInputStream(), upstream.getOutputStream());
      } catch (IOException e) {
        // the other direction notices the closed sockets
      } finally {
        closeQuietly(upstream);
        closeQuietly(client);
      }
    });
    try {
      downstream.copy(upstream.getInputStream(), client.getOutputStream());
    } finally {
      closeQuietly(upstream);
      closeQuietly(client);
      open.remove(upstream);
    }
  }

  public void pipe(Socket client, Socket upstream) throws IOException {
    pipe(client, upstream, TcpProxy::copy);
  }

  /** One direction of a connection. */
  @FunctionalInterface
  public interface Copier {
    void copy(InputStream in, OutputStream out) throws IOException;
  }

  static void copy(InputStream in, OutputStream out) throws IOException {
    byte[] buffer = new byte[16 * 1024];
    int n;
    try {
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (SocketException e) {
      // closed from the other side or by down(): the end of this direction
    }
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // already closed
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    down();
    threads.shutdownNow();
  }

  @Override
  public String toString() {
    return "proxy " + name + " :" + port + " → " + upstreamHost + ":" + upstreamPort
        + (isUp() ? "" : " (down)");
  }
}
