package dev.relay.api.keys;

import dev.relay.store.tenant.ApiKey;
import dev.relay.store.tenant.IssuedKey;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/** What the key endpoints answer. A key's value appears only in {@link Issued}. */
final class ApiKeyViews {
  private ApiKeyViews() {}

  /** A key as listed: never its value. */
  record View(
      String id,
      @Schema(allowableValues = {"client", "support", "admin"}) String role,
      String name,
      @Schema(nullable = true, description = "the value's first characters (null for keys from "
          + "configuration)") String prefix,
      @Schema(allowableValues = {"api", "bootstrap"}) String source,
      @Schema(allowableValues = {"active", "expired", "revoked"}) String state,
      Instant createdAt,
      @Schema(nullable = true) Instant expiresAt,
      @Schema(nullable = true, description = "last successful use, to about a minute")
      Instant lastUsedAt,
      @Schema(nullable = true) Instant revokedAt,
      @Schema(nullable = true, description = "the key a rotation made from this one")
      String replacedBy) {

    static View of(ApiKey k, Instant now) {
      String state = k.revokedAt() != null ? "revoked" : k.activeAt(now) ? "active" : "expired";
      return new View(k.id(), k.role().dbValue(), k.name(), k.prefix(), k.source(), state,
          k.createdAt(), k.expiresAt(), k.lastUsedAt(), k.revokedAt(), k.replacedBy());
    }
  }

  /** A key just made, with its value: shown this once, store it now. */
  record Issued(
      String id,
      @Schema(description = "the key itself: send it as Authorization: Bearer <value>. Relay "
          + "keeps only a hash and never shows it again") String value,
      String prefix,
      String role,
      String name,
      Instant createdAt,
      @Schema(nullable = true) Instant expiresAt) {

    static Issued of(IssuedKey issued) {
      ApiKey k = issued.key();
      return new Issued(k.id(), issued.value(), k.prefix(), k.role().dbValue(), k.name(),
          k.createdAt(), k.expiresAt());
    }
  }

  /** The answer to a rotation: the new key, and the old one with the end of its overlap. */
  record Rotated(Issued key, View previous) {}

  record Listing(List<View> keys) {}
}
