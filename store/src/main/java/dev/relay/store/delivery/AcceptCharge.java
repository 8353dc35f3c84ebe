package dev.relay.store.delivery;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Runs inside the transaction that accepts deliveries, after the insert, with the deliveries that
 * were really inserted (replays are not among them). Throwing rolls the whole acceptance back:
 * that is how delivery quotas refuse a request without counting or storing anything.
 */
@FunctionalInterface
public interface AcceptCharge {
  AcceptCharge NONE = (h, inserted) -> { };

  void charge(Handle h, List<NewDelivery> inserted);
}
