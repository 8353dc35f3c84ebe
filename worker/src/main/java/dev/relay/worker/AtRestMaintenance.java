package dev.relay.worker;

import dev.relay.store.sealed.AtRestBackfill;
import dev.relay.store.sealed.DataKeyRepository;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * After the worker starts: seals rows written before encryption at rest and re-wraps data keys
 * still under a KEK that is no longer primary. In the background and in small batches, so it
 * never delays the worker; both are idempotent and safe with several workers.
 */
@Component
public class AtRestMaintenance {
  private static final Logger log = LoggerFactory.getLogger(AtRestMaintenance.class);
  private static final int BATCH = 200;

  private final Jdbi jdbi;
  private final AtRestProperties properties;

  public AtRestMaintenance(Jdbi jdbi, AtRestProperties properties) {
    this.jdbi = jdbi;
    this.properties = properties;
  }

  @EventListener(ApplicationReadyEvent.class)
  public void onStart() {
    if (properties.maintainOnStart()) {
      Thread thread = new Thread(this::run, "relay-at-rest-maintenance");
      thread.setDaemon(true);
      thread.start();
    }
  }

  void run() {
    try {
      AtRestBackfill.Result sealed = new AtRestBackfill(jdbi).sealAll(BATCH);
      if (sealed.total() > 0) {
        log.info("encryption at rest: sealed {} rows written before it ({})", sealed.total(),
            sealed);
      }
      DataKeyRepository keys = new DataKeyRepository(jdbi);
      int rewrapped = 0;
      for (int n; (n = keys.rewrapAll(BATCH)) > 0; ) {
        rewrapped += n;
      }
      if (rewrapped > 0) {
        log.info("encryption at rest: re-wrapped {} data keys with the primary KEK", rewrapped);
      }
      log.info("encryption at rest: live data keys per KEK {}", keys.liveKeysByKek());
    } catch (RuntimeException e) {
      log.warn("encryption at rest: start-up maintenance stopped (it runs again at the next"
          + " start): {}", e.toString());
    }
  }
}
