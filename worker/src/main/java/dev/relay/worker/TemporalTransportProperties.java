package dev.relay.worker;

import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.TrustManagerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the worker reaches Temporal beyond its address: TLS, mutual TLS (a client certificate) or a
 * Temporal Cloud API key; plaintext on loopback by default. Same keys as the API's.
 *
 * @param apiKey a Temporal Cloud API key (sent as a bearer token; turns TLS on)
 * @param tls TLS to the frontend
 */
@ConfigurationProperties("relay.temporal")
public record TemporalTransportProperties(String apiKey, @DefaultValue Tls tls) {

  /**
   * @param enabled TLS with the system's trust store (implied by a certificate or an API key)
   * @param clientCertFile PEM certificate chain for mutual TLS (with {@code clientKeyFile})
   * @param clientKeyFile PEM PKCS#8 private key of that certificate
   * @param caCertFile PEM CA certificate(s) to trust instead of the system's
   * @param serverName the name the server's certificate must carry, when not the target's host
   */
  public record Tls(boolean enabled, String clientCertFile, String clientKeyFile,
      String caCertFile, String serverName) {}

  /** Adds TLS and credentials to the stubs' options; what is not configured stays as it was. */
  public WorkflowServiceStubsOptions.Builder apply(WorkflowServiceStubsOptions.Builder options) {
    boolean hasKey = apiKey != null && !apiKey.isBlank();
    Tls t = tls == null ? new Tls(false, null, null, null, null) : tls;
    boolean cert = present(t.clientCertFile()) || present(t.clientKeyFile());
    if (cert && !(present(t.clientCertFile()) && present(t.clientKeyFile()))) {
      throw new IllegalStateException("mutual TLS to Temporal needs both "
          + "relay.temporal.tls.client-cert-file and relay.temporal.tls.client-key-file");
    }
    if (hasKey) {
      String key = apiKey.strip();
      options.addApiKey(() -> key);
    }
    if (cert || present(t.caCertFile())) {
      try {
        SimpleSslContextBuilder ssl;
        if (cert) {
          try (InputStream c = open(t.clientCertFile(), "client-cert-file");
              InputStream k = open(t.clientKeyFile(), "client-key-file")) {
            ssl = SimpleSslContextBuilder.forPKCS8(c, k);
            if (present(t.caCertFile())) {
              ssl.setTrustManager(trust(t.caCertFile()));
            }
            options.setSslContext(ssl.build());
          }
        } else {
          ssl = SimpleSslContextBuilder.noKeyOrCertChain().setTrustManager(trust(t.caCertFile()));
          options.setSslContext(ssl.build());
        }
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalStateException("cannot set up TLS to Temporal from relay.temporal.tls.*: "
            + e.getMessage(), e);
      }
    } else if (t.enabled() || hasKey) {
      options.setEnableHttps(true);
    }
    if (present(t.serverName())) {
      String name = t.serverName().strip();
      options.setChannelInitializer(channel -> channel.overrideAuthority(name));
    }
    return options;
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }

  private static InputStream open(String file, String property) throws IOException {
    Path path = Path.of(file.strip());
    if (!Files.isReadable(path)) {
      throw new IOException("relay.temporal.tls." + property + " " + path + " cannot be read");
    }
    return Files.newInputStream(path);
  }

  private static javax.net.ssl.TrustManager trust(String caFile)
      throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = open(caFile, "ca-cert-file")) {
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new IOException("relay.temporal.tls.ca-cert-file " + caFile + " holds no certificate");
      }
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return factory.getTrustManagers()[0];
  }
}
