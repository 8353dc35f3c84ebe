-- SMS-pumping defence (issue 9, item 3): per-tenant SMS policy, the pause a burst to one prefix
-- sets, the SMS sends counted for velocity limits (across every worker), and Relay's own
-- verification of a contact point, kept apart from what the tenant attests.

-- One row per tenant that changed something; a null column means "the configured default"
-- (relay.sms-guard.*). The pause lives here too: while paused_at is set, the tenant's SMS sends
-- fail fast (SMS_PAUSED) until an admin lifts it.
create table sms_settings (
  tenant_id                 text primary key references tenants (id),
  allowed_regions           text,            -- ISO 3166 codes, comma separated; empty = every region
  max_segments              integer check (max_segments between 1 and 10),
  recipient_limit           integer check (recipient_limit >= 0),      -- per recipient_window; 0 = off
  recipient_window_seconds  integer check (recipient_window_seconds > 0),
  prefix_limit              integer check (prefix_limit >= 0),         -- per prefix_window; 0 = off
  prefix_window_seconds     integer check (prefix_window_seconds > 0),
  prefix_digits             integer check (prefix_digits between 2 and 15),
  requires_relay_verification boolean,
  paused_at                 timestamptz,
  paused_prefix             text,
  paused_reason             text,
  updated_at                timestamptz not null default now()
);

-- SMS admitted to a provider, one row per send key (all tries of a round share one key, so a
-- retry never counts twice). The number itself is not stored: its SHA-256 (with the tenant) is
-- enough to count per recipient; the prefix is what a burst is counted by.
create table sms_sends (
  send_key     text primary key,
  tenant_id    text not null references tenants (id),
  number_hash  text not null,
  prefix       text not null,
  -- false once an admin lifted a pause: the burst they accepted no longer counts toward the next
  prefix_counted boolean not null default true,
  admitted_at  timestamptz not null default now()
);
create index sms_sends_by_number on sms_sends (tenant_id, number_hash, admitted_at);
create index sms_sends_by_prefix on sms_sends (tenant_id, prefix, admitted_at);

-- Contact points Relay verified itself (a code it sent and the recipient returned). A PUT of the
-- recipient neither sets nor clears these: a tenant's "verified": true is only its attestation.
create table relay_verified_contacts (
  tenant_id    text not null references tenants (id),
  channel      text not null check (channel in ('EMAIL', 'SMS')),
  address      text not null,
  verified_at  timestamptz not null default now(),
  primary key (tenant_id, channel, address)
);
