package dev.relay.contracts;

/** A way of reaching a recipient. Each channel has its own contact point, consent and provider. */
public enum Channel {
  EMAIL,
  SMS
}
