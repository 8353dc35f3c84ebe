package dev.relay.store.audit;

/** The first place a tenant's audit chain does not verify, and why (for logs and operators). */
public record ChainBreak(String tenantId, long chainSeq, String reason) {
  @Override
  public String toString() {
    return "tenant " + tenantId + ", chain_seq " + chainSeq + ": " + reason;
  }
}
