package dev.relay.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Hosts Relay's Temporal workers: the delivery workflow and all its activities. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RelayWorkerApplication {
  /** Jakarta Mail's stream provider, named so it is not looked up per message. */
  static final String MAIL_STREAM_PROVIDER = "org.eclipse.angus.mail.util.MailStreamProvider";

  public static void main(String[] args) {
    // Jakarta Mail finds its StreamProvider for every message it builds: from this system
    // property if set, else by a ServiceLoader scan, which in a Boot fat jar opens nested jars and
    // cost ~13% of the worker's CPU under load. Naming the provider skips the scan.
    if (System.getProperty("jakarta.mail.util.StreamProvider") == null) {
      System.setProperty("jakarta.mail.util.StreamProvider", MAIL_STREAM_PROVIDER);
    }
    SpringApplication.run(RelayWorkerApplication.class, args);
  }
}
