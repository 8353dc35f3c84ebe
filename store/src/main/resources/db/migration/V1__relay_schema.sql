-- Relay's schema. Every table is keyed by tenant so no query can cross tenants by accident.

create table tenants (
  id                 text primary key,
  name               text not null,
  status_webhook_url text,
  created_at         timestamptz not null default now()
);

-- API keys are stored as SHA-256 hashes; the plaintext is shown once, when the key is made.
create table api_keys (
  key_hash   text primary key,
  tenant_id  text not null references tenants (id),
  role       text not null check (role in ('client', 'support', 'admin')),
  name       text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

create table recipients (
  tenant_id    text not null references tenants (id),
  id           text not null,
  display_name text,
  active       boolean not null default true,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  primary key (tenant_id, id)
);

-- One contact point per channel and recipient.
create table contact_points (
  tenant_id         text not null,
  recipient_id      text not null,
  channel           text not null check (channel in ('EMAIL', 'SMS')),
  address           text not null,
  verified          boolean not null default false,
  suppressed_reason text,
  updated_at        timestamptz not null default now(),
  primary key (tenant_id, recipient_id, channel),
  foreign key (tenant_id, recipient_id) references recipients (tenant_id, id) on delete cascade
);

-- Consent is versioned per (recipient, purpose): each change writes a new version with the
-- state of every channel, so a decision can name the exact version it used. Append-only.
create table consents (
  tenant_id    text not null,
  recipient_id text not null,
  purpose      text not null,
  version      integer not null check (version > 0),
  channel      text not null check (channel in ('EMAIL', 'SMS')),
  granted      boolean not null,
  source       text not null,
  evidence     text,
  recorded_at  timestamptz not null default clock_timestamp(),
  primary key (tenant_id, recipient_id, purpose, version, channel),
  foreign key (tenant_id, recipient_id) references recipients (tenant_id, id)
);

create table templates (
  tenant_id  text not null references tenants (id),
  id         text not null,
  version    integer not null default 1,
  subject    text,
  html_body  text,
  text_body  text,
  sms_body   text,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);

create table documents (
  tenant_id    text not null references tenants (id),
  id           text not null,
  filename     text not null,
  content_type text not null,
  size         bigint not null,
  sha256       text not null,
  content      bytea not null,
  created_at   timestamptz not null default now(),
  primary key (tenant_id, id)
);

-- What a delivery rendered for a channel; workflow history carries only (delivery, channel)
-- and the digest.
create table rendered_payloads (
  delivery_id      text not null,
  channel          text not null check (channel in ('EMAIL', 'SMS')),
  tenant_id        text not null,
  template_id      text not null,
  template_version integer not null,
  subject          text,
  html_body        text,
  text_body        text not null,
  sha256           text not null,
  created_at       timestamptz not null default now(),
  primary key (delivery_id, channel)
);

-- One row per accepted delivery: the idempotency record and the status projection the API
-- reads. The workflow keeps it current through the audit activity.
create table deliveries (
  id               text primary key,
  tenant_id        text not null references tenants (id),
  idempotency_key  text not null,
  request_hash     text not null,
  request          jsonb not null,
  recipient_id     text not null,
  purpose          text not null,
  template_id      text not null,
  status           text not null,
  channel          text,
  attempts         integer not null default 0,
  reason           text,
  last_sequence    bigint not null default 0,
  workflow_started boolean not null default false,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  unique (tenant_id, idempotency_key)
);
create index deliveries_by_status on deliveries (tenant_id, status, created_at desc);
create index deliveries_by_recipient on deliveries (tenant_id, recipient_id, created_at desc);

-- The send ledger: one row per (delivery, channel, round). A send checks it before calling a
-- provider, so a retry after a crash never sends what was already accepted.
create table send_ledger (
  send_key            text primary key,
  tenant_id           text not null,
  delivery_id         text not null,
  channel             text not null check (channel in ('EMAIL', 'SMS')),
  round               integer not null,
  state               text not null check (state in ('SENDING', 'SENT', 'FAILED')),
  provider            text,
  provider_message_id text,
  tries               integer not null default 0,
  last_error          text,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now()
);
create index send_ledger_by_message on send_ledger (provider_message_id);
create index send_ledger_by_delivery on send_ledger (delivery_id);

-- Provider receipts (status callbacks), persisted before the workflow is signalled.
create table provider_receipts (
  id                  bigserial primary key,
  tenant_id           text not null,
  delivery_id         text not null,
  provider            text not null,
  provider_message_id text not null,
  status              text not null,
  error_code          text,
  received_at         timestamptz not null default now(),
  unique (provider, provider_message_id, status)
);

-- The audit trail: append-only, each row hash-chained to the previous row of its tenant.
create table audit_events (
  id                  bigserial primary key,
  tenant_id           text not null,
  chain_seq           bigint not null,
  delivery_id         text,
  sequence            bigint,
  occurred_at         timestamptz not null,
  recorded_at         timestamptz not null default clock_timestamp(),
  actor               text not null,
  step                text not null,
  outcome             text not null,
  detail              text,
  status              text,
  channel             text,
  attempts            integer,
  consent_version     integer,
  provider            text,
  provider_message_id text,
  prev_hash           text not null,
  hash                text not null,
  unique (tenant_id, chain_seq),
  unique (delivery_id, sequence)
);
create index audit_by_delivery on audit_events (delivery_id, sequence);

create function relay_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only: % is not allowed', tg_table_name, tg_op
    using errcode = 'insufficient_privilege';
end;
$$;

create trigger audit_events_append_only
  before update or delete on audit_events
  for each row execute function relay_refuse_change();
create trigger audit_events_no_truncate
  before truncate on audit_events
  for each statement execute function relay_refuse_change();
create trigger consents_append_only
  before update or delete on consents
  for each row execute function relay_refuse_change();
