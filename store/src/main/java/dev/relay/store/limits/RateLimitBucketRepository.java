package dev.relay.store.limits;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Storage of the request rate-limit buckets for a compare-and-swap proxy manager: the state is an
 * opaque byte string (Bucket4j's serialized bucket), read with {@link #read} and replaced with
 * {@link #compareAndSwap} only if it is still what was read. Each is ONE statement on the primary
 * key, in autocommit: no transaction is held between them, so API instances never wait on each
 * other's locks; a lost race is a retry (Bucket4j's CAS loop).
 */
public class RateLimitBucketRepository {
  private final Jdbi jdbi;

  public RateLimitBucketRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** The live state of bucket {@code id}; empty when there is none or it expired (a full bucket). */
  public Optional<byte[]> read(String id) {
    return jdbi.withHandle(h -> h.createQuery(
            "select state from rate_limit_buckets where id = :id and expires_at > now()")
        .bind("id", id)
        .mapTo(byte[].class)
        .findOne());
  }

  /**
   * Replaces the state of bucket {@code id} with {@code next} if it is still {@code expected}
   * (null: if there is no live state), and keeps it for {@code ttlMillis}.
   *
   * @return whether it was replaced (false: another instance changed it first)
   */
  public boolean compareAndSwap(String id, byte[] expected, byte[] next, long ttlMillis) {
    return jdbi.withHandle(h -> {
      if (expected == null) {
        return h.createUpdate("""
                insert into rate_limit_buckets (id, state, expires_at)
                values (:id, :next, now() + :ttl * interval '1 millisecond')
                on conflict (id) do update set state = excluded.state,
                  expires_at = excluded.expires_at
                where rate_limit_buckets.expires_at <= now()
                """)
            .bind("id", id).bind("next", next).bind("ttl", ttlMillis)
            .execute() == 1;
      }
      return h.createUpdate("""
              update rate_limit_buckets
              set state = :next, expires_at = now() + :ttl * interval '1 millisecond'
              where id = :id and state = :expected
              """)
          .bind("id", id).bind("next", next).bind("expected", expected).bind("ttl", ttlMillis)
          .execute() == 1;
    });
  }

  /** Forgets bucket {@code id} (its next use starts full). */
  public void remove(String id) {
    jdbi.useHandle(h -> h.createUpdate("delete from rate_limit_buckets where id = :id")
        .bind("id", id).execute());
  }

  /** Deletes up to {@code max} expired buckets; returns how many. */
  public int purgeExpired(int max) {
    return jdbi.withHandle(h -> h.createUpdate("""
            delete from rate_limit_buckets where id in (
              select id from rate_limit_buckets where expires_at <= now() limit :max)
            """)
        .bind("max", max).execute());
  }
}
