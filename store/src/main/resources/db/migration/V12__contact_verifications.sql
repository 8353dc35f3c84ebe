-- Relay's own verification of an SMS contact point (issue 9, item 3): Relay texts a one-time
-- code, the recipient gives it back through the tenant's app. Only a keyed hash of the code is
-- kept (HMAC-SHA256 under a key derived from the audit key named in code_key_id, which is never
-- in the database), so a reader of this table cannot recover or brute-force a live code.
create table contact_verifications (
  id             text primary key,
  tenant_id      text not null references tenants (id),
  recipient_id   text not null,
  channel        text not null check (channel in ('SMS')),
  address        text not null,
  -- PENDING (the worker has not sent yet), SENDING (a code was drawn, the text may be on its
  -- way), SENT, CONFIRMED (used: single use), LOCKED (too many wrong codes), SUPERSEDED (a newer
  -- verification of the contact point replaced it), FAILED (the SMS was refused or not sent),
  -- UNSENT (the workflow could not be started: not counted by the rate limit)
  state          text not null default 'PENDING' check (state in ('PENDING', 'SENDING', 'SENT',
                   'CONFIRMED', 'LOCKED', 'SUPERSEDED', 'FAILED', 'UNSENT')),
  code_hash      text,
  code_key_id    text,
  attempts       integer not null default 0,
  failure        text,
  provider_message_id text,
  created_at     timestamptz not null default now(),
  expires_at     timestamptz not null,
  sent_at        timestamptz,
  confirmed_at   timestamptz
);
-- The rate limit per contact point and the "one live verification" rule read this.
create index contact_verifications_by_contact
  on contact_verifications (tenant_id, channel, address, created_at);
