package dev.relay.store.provider;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** The provider catalogue and the breaker transitions of each provider. */
public class ProviderEventRepository {
  private final Jdbi jdbi;

  public ProviderEventRepository(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Adds or updates a provider a worker routes over (idempotent; workers call it at start). */
  public void register(String name, String channel, int position) {
    jdbi.useHandle(h -> h.createUpdate("""
            insert into providers (name, channel, position) values (:n, :c, :p)
            on conflict (name) do update set channel = excluded.channel, position = excluded.position
            """)
        .bind("n", name).bind("c", channel).bind("p", position).execute());
  }

  /** Every provider registered or seen in an event, by channel and routing order. */
  public List<RegisteredProvider> providers() {
    return jdbi.withHandle(h -> h.createQuery("""
            select name, channel, position, registered_at from providers
            union all
            select e.provider, min(e.channel), 2147483647, min(e.occurred_at) from provider_events e
            where not exists (select 1 from providers p where p.name = e.provider)
            group by e.provider
            order by channel, position, name
            """)
        .map((rs, ctx) -> new RegisteredProvider(rs.getString("name"), rs.getString("channel"),
            rs.getInt("position"), rs.getTimestamp("registered_at").toInstant()))
        .list());
  }

  public ProviderEvent record(String provider, String channel, String fromState, String toState,
      Instant occurredAt, String detail) {
    return jdbi.withHandle(h -> h.createQuery("""
            insert into provider_events (provider, channel, from_state, to_state, occurred_at, detail)
            values (:p, :c, :f, :t, :at, :d)
            returning *
            """)
        .bind("p", provider).bind("c", channel).bind("f", fromState).bind("t", toState)
        .bind("at", Timestamp.from(occurredAt.truncatedTo(ChronoUnit.MICROS)))
        .bind("d", detail)
        .map((rs, ctx) -> map(rs))
        .one());
  }

  /** The newest {@code limit} transitions of one provider, newest first. */
  public List<ProviderEvent> recent(String provider, int limit) {
    return jdbi.withHandle(h -> h.createQuery("""
            select * from provider_events where provider = :p
            order by occurred_at desc, id desc limit :n
            """)
        .bind("p", provider).bind("n", limit)
        .map((rs, ctx) -> map(rs))
        .list());
  }

  private static ProviderEvent map(ResultSet rs) throws SQLException {
    return new ProviderEvent(rs.getLong("id"), rs.getString("provider"), rs.getString("channel"),
        rs.getString("from_state"), rs.getString("to_state"),
        rs.getTimestamp("occurred_at").toInstant(), rs.getString("detail"));
  }
}
