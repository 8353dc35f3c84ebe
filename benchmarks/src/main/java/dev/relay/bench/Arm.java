package dev.relay.bench;

/** One side of a comparison that sends real mail: Relay through its API, or the minimal workflow. */
interface Arm {

  String name();

  /** Untimed set-up for a phase of n deliveries (Relay: recipients with consent). */
  void prepare(String tag, int n) throws Exception;

  /**
   * Offers delivery i of the phase and returns when it is accepted (Relay: the API's 202; minimal:
   * Temporal's answer to the start). Returns the delivery's id (Relay) or workflow ID (minimal).
   */
  String offer(String tag, int i) throws Exception;

  /** The workflow ID of an accepted delivery, for its history. */
  String workflowId(String offerId);
}
