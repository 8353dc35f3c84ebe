package dev.relay.activities.channels.email;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/** TLS that trusts the CA certificates of one PEM file (a private CA, a self-signed relay). */
final class TrustedCertificates {
  private TrustedCertificates() {}

  /**
   * @throws IllegalStateException when the file cannot be read or holds no certificate, so a
   *     misconfigured provider fails the worker's start rather than its first send
   */
  static SSLSocketFactory socketFactory(String caCertFile) {
    Path path = Path.of(caCertFile);
    try (InputStream in = Files.newInputStream(path)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new IllegalStateException("SMTP ca-cert-file " + path + " holds no certificate");
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("SMTP ca-cert-file " + path + " cannot be used: "
          + e.getMessage(), e);
    }
  }
}
