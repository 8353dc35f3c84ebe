package dev.relay.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Relay's REST API: accepts deliveries, manages recipients and templates, takes provider webhooks. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RelayApiApplication {

  public static void main(String[] args) {
    SpringApplication.run(RelayApiApplication.class, args);
  }
}
