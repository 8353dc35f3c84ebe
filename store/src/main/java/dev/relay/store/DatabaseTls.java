package dev.relay.store;

import com.zaxxer.hikari.HikariConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * TLS to PostgreSQL for both of the apps' connections, the runtime pool and the owner that
 * migrates ({@code relay.database.ssl.*}). Each value is a pgjdbc connection property; what is
 * blank is left to the JDBC URL, which can carry the same settings itself
 * ({@code ?sslmode=verify-full&sslrootcert=/etc/relay/pg-root.crt}). Setting one both ways with
 * different values is refused, so nobody has to know which one wins.
 *
 * @param mode pgjdbc's {@code sslmode}: disable, allow, prefer (pgjdbc's default: TLS if the
 *     server offers it, unverified), require (TLS, unverified), verify-ca (TLS, the server's
 *     certificate chains to {@code rootCert}), verify-full (verify-ca and the certificate names the
 *     host); blank: the URL's, else pgjdbc's default
 * @param rootCert {@code sslrootcert}: PEM file of the CA(s) that signed the server's certificate
 *     (pgjdbc's default is ~/.postgresql/root.crt)
 * @param cert {@code sslcert}: client certificate, for servers that authenticate by certificate
 * @param key {@code sslkey}: that certificate's key (PKCS#8 DER, or PKCS#12 with the cert)
 */
public record DatabaseTls(String mode, String rootCert, String cert, String key) {
  /** Nothing set: the JDBC URL alone decides. */
  public static final DatabaseTls FROM_URL = new DatabaseTls(null, null, null, null);

  private static final List<String> MODES =
      List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

  public DatabaseTls {
    mode = blankToNull(mode);
    rootCert = blankToNull(rootCert);
    cert = blankToNull(cert);
    key = blankToNull(key);
    if (mode != null && !MODES.contains(mode)) {
      throw new IllegalArgumentException("relay.database.ssl.mode '" + mode + "' is not one of "
          + String.join(", ", MODES));
    }
    requireReadable("root-cert", rootCert);
    requireReadable("cert", cert);
    requireReadable("key", key);
  }

  /** The pgjdbc properties this sets, by name (sslmode, sslrootcert, sslcert, sslkey). */
  public Map<String, String> properties() {
    Map<String, String> p = new LinkedHashMap<>();
    put(p, "sslmode", mode);
    put(p, "sslrootcert", rootCert);
    put(p, "sslcert", cert);
    put(p, "sslkey", key);
    return p;
  }

  /**
   * Adds these settings to a pool (before it starts) that connects to {@code config}'s JDBC URL.
   *
   * @throws IllegalStateException when the URL sets one of them to something else
   */
  public void applyTo(HikariConfig config) {
    Map<String, String> p = properties();
    requireAgreement(config.getJdbcUrl(), p);
    p.forEach(config::addDataSourceProperty);
  }

  /**
   * Adds these settings to a data source whose URL is already set.
   *
   * @throws IllegalStateException when the URL sets one of them to something else
   */
  public void applyTo(PGSimpleDataSource dataSource) {
    Map<String, String> p = properties();
    requireAgreement(dataSource.getUrl(), p);
    p.forEach((name, value) -> {
      try {
        dataSource.setProperty(name, value);
      } catch (SQLException e) {
        throw new IllegalStateException("pgjdbc refused " + name + ": " + e.getMessage(), e);
      }
    });
  }

  private static void requireAgreement(String url, Map<String, String> typed) {
    if (url == null || typed.isEmpty()) {
      return;
    }
    Properties fromUrl = Driver.parseURL(url, null);
    if (fromUrl == null) {
      return; // not a PostgreSQL URL: the driver will say so when it connects
    }
    typed.forEach((name, value) -> {
      String inUrl = fromUrl.getProperty(name);
      if (inUrl != null && !inUrl.equals(value)) {
        throw new IllegalStateException("the JDBC URL sets " + name + "=" + inUrl
            + " but relay.database.ssl sets it to " + value + ": set it in one place");
      }
    });
  }

  private static void put(Map<String, String> p, String name, String value) {
    if (value != null) {
      p.put(name, value);
    }
  }

  private static void requireReadable(String property, String file) {
    if (file != null && !Files.isReadable(Path.of(file))) {
      throw new IllegalArgumentException("relay.database.ssl." + property + " " + file
          + " cannot be read");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
