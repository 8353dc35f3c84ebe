-- Status webhooks: a tenant's signing secret next to its URL, and the outbox of status events.

-- Standard Webhooks signing secret ("whsec_" + base64 of 32 random bytes). Kept in plain text
-- because every POST is signed with it (an API key only needs its hash); shown to the tenant once.
alter table tenants add column status_webhook_secret text;
alter table tenants add column status_webhook_updated_at timestamptz;

-- One row per status event a workflow reported (NEEDS_ATTENTION, final statuses, delayed), written
-- only while the tenant has a webhook. event_id (delivery ID + ":" + the workflow's event
-- sequence) makes the insert idempotent and is the webhook-id receivers dedupe on. The worker's
-- dispatcher claims due PENDING rows (for update skip locked), POSTs them and records the outcome:
-- at-least-once delivery, retried with backoff until DELIVERED or, after the last try, FAILED.
create table webhook_outbox (
  id              bigserial primary key,
  event_id        text not null unique,
  tenant_id       text not null references tenants (id),
  delivery_id     text not null,
  type            text not null,
  payload         jsonb not null,
  state           text not null default 'PENDING'
                    check (state in ('PENDING', 'DELIVERED', 'FAILED')),
  attempts        integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error      text,
  created_at      timestamptz not null default now(),
  delivered_at    timestamptz
);
-- What the dispatcher polls: only rows still to be sent, oldest due first.
create index webhook_outbox_due on webhook_outbox (next_attempt_at, id) where state = 'PENDING';
create index webhook_outbox_by_delivery on webhook_outbox (delivery_id, id);
