package dev.relay.worker;

import dev.relay.store.DatabaseTls;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code relay.database.owner}: the role that runs the migrations and owns the tables. The app
 * itself connects as the runtime role ({@code spring.datasource.*}), which gets INSERT and SELECT
 * only on the audit trail. A blank username migrates as the runtime role (it then owns the
 * schema, as before the roles were split, and the log warns).
 *
 * <p>{@code relay.database.ssl}: TLS to PostgreSQL for both connections, the runtime pool and
 * the owner (each blank value is left to the JDBC URL, which may carry {@code sslmode} and
 * {@code sslrootcert} itself; see {@link DatabaseTls}).
 */
@ConfigurationProperties("relay.database")
public record DatabaseProperties(@DefaultValue Owner owner, @DefaultValue Ssl ssl) {

  /** @param url blank: {@code spring.datasource.url} */
  public record Owner(@DefaultValue("") String url, @DefaultValue("") String username,
      @DefaultValue("") String password) {}

  /**
   * @param mode pgjdbc's sslmode: disable, allow, prefer, require, verify-ca, verify-full
   * @param rootCert PEM CA certificate(s) the server's certificate must chain to
   * @param cert client certificate (servers that authenticate by certificate)
   * @param key that certificate's key
   */
  public record Ssl(String mode, String rootCert, String cert, String key) {}

  /** Fails the start when a file is unreadable or the mode unknown. */
  public DatabaseTls tls() {
    return new DatabaseTls(ssl.mode(), ssl.rootCert(), ssl.cert(), ssl.key());
  }
}
