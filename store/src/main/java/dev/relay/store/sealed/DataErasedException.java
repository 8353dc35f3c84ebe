package dev.relay.store.sealed;

/**
 * A sealed value whose data key was destroyed (a recipient's erasure or a tenant's offboarding):
 * it can never be read again. Callers answer with "erased", not with an error.
 */
public class DataErasedException extends RuntimeException {
  private final String tenantId;
  private final String recipientId;

  public DataErasedException(String tenantId, String recipientId, String keyId) {
    super((recipientId == null ? "tenant '" + tenantId + "'" : "recipient '" + recipientId
        + "' of tenant '" + tenantId + "'") + ": data key " + keyId
        + " was destroyed; the data sealed with it is erased");
    this.tenantId = tenantId;
    this.recipientId = recipientId;
  }

  public String tenantId() {
    return tenantId;
  }

  /** Null when the tenant's own key was destroyed. */
  public String recipientId() {
    return recipientId;
  }
}
