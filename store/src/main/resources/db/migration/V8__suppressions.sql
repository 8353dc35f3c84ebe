-- Suppressions owned by the server (issue 9): a hard bounce, a STOP, an invalid number or a
-- complaint stops sends to that contact point of the tenant until a support action lifts it.
-- Kept apart from contact_points so that a client PUTting the recipient cannot clear it.
create table suppressions (
  id            bigserial primary key,
  tenant_id     text not null references tenants (id),
  channel       text not null check (channel in ('EMAIL', 'SMS')),
  address       text not null,          -- as sent to (the contact point's address)
  reason        text not null check (reason in ('HARD_BOUNCE', 'STOP', 'INVALID_NUMBER', 'COMPLAINT')),
  detail        text,                   -- the provider's code; never content
  delivery_id   text,                   -- the send that revealed it
  created_at    timestamptz not null default now(),
  cleared_at    timestamptz,
  cleared_by    text,
  clear_reason  text
);
-- One active suppression per contact point: recording it again is a no-op.
create unique index suppressions_active on suppressions (tenant_id, channel, address)
  where cleared_at is null;
