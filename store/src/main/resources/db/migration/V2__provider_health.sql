-- Provider health: which providers the workers route over, and every circuit-breaker transition.

-- The providers a worker was configured with, registered at start-up, so the status endpoint
-- lists a provider that never changed state (it is CLOSED) next to the ones that did.
create table providers (
  name          text primary key,
  channel       text not null check (channel in ('EMAIL', 'SMS')),
  position      integer not null,  -- routing order within the channel, 0 first
  registered_at timestamptz not null default now()
);

-- One row per breaker state transition, written by the worker that saw it. occurred_at is the
-- breaker's own time of the transition, not the insert time (rows are written asynchronously).
create table provider_events (
  id          bigserial primary key,
  provider    text not null,
  channel     text not null check (channel in ('EMAIL', 'SMS')),
  from_state  text not null,
  to_state    text not null,
  occurred_at timestamptz not null,
  detail      text
);
create index provider_events_by_provider on provider_events (provider, occurred_at desc, id desc);
