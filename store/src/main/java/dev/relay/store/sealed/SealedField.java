package dev.relay.store.sealed;

/**
 * Every column Relay seals at rest. The column's name is part of each value's associated data,
 * so a sealed value copied into another column (or another row, or tenant) does not open.
 */
public enum SealedField {
  /** A tenant's status-webhook signing secret: the tenant's key. */
  WEBHOOK_SECRET("tenants.status_webhook_secret"),
  /** Document bytes: the tenant's key (documents are uploaded per tenant, not per recipient). */
  DOCUMENT_CONTENT("documents.content"),
  /** Subject and bodies a delivery rendered: the recipient's key. */
  RENDERED_PAYLOAD("rendered_payloads.sealed"),
  /** The accepted request body (variables, documents, channels): the recipient's key. */
  DELIVERY_REQUEST("deliveries.request"),
  /** Consent evidence: the recipient's key. */
  CONSENT_EVIDENCE("consents.evidence");

  private final String column;

  SealedField(String column) {
    this.column = column;
  }

  public String column() {
    return column;
  }
}
