package dev.relay.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Hosts Relay's Temporal workers: the delivery workflow and all its activities. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RelayWorkerApplication {
  public static void main(String[] args) {
    SpringApplication.run(RelayWorkerApplication.class, args);
  }
}
