package dev.relay.api.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code relay.database.owner}: the role that runs the migrations and owns the tables. The app
 * connects as the runtime role ({@code spring.datasource.*}), which gets INSERT and SELECT only on
 * the audit trail. A blank username migrates as the runtime role (the log warns).
 *
 * @param url blank: {@code spring.datasource.url}
 */
@ConfigurationProperties("relay.database")
public record DatabaseProperties(@DefaultValue Owner owner) {
  public record Owner(@DefaultValue("") String url, @DefaultValue("") String username,
      @DefaultValue("") String password) {}
}
