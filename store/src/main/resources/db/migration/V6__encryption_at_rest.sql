-- Encryption at rest (issue 8, item 4): envelope encryption with data keys per tenant and per
-- recipient. A data key (DEK) is 32 random bytes, stored only wrapped (AES-256-GCM) by a
-- key-encryption key (KEK) that is never in the database. Destroying a DEK (wrapped_key set to
-- null; the row stays as a tombstone so reads can say "erased") makes everything sealed with it
-- unreadable: crypto-shredding.
create table data_keys (
  id           text primary key,
  tenant_id    text not null,
  -- null: the tenant's own key (webhook secret, documents); else the recipient's
  recipient_id text,
  kek_id       text,
  -- format version, KEK ID, then the KEK's AES-GCM ciphertext of the DEK; null once destroyed
  wrapped_key  bytea,
  created_at   timestamptz not null default clock_timestamp(),
  rewrapped_at timestamptz,
  destroyed_at timestamptz,
  destroyed_by text,
  check ((wrapped_key is null) = (destroyed_at is not null))
);
-- New writes use the newest live key of their scope.
create index data_keys_current on data_keys (tenant_id, recipient_id, created_at desc)
  where wrapped_key is not null;
-- Re-wrapping after a KEK rotation looks for keys under older KEKs.
create index data_keys_by_kek on data_keys (kek_id) where wrapped_key is not null;

-- Sealed values live next to the legacy plaintext columns: a row written before this migration
-- keeps its plaintext (still read) until the backfill seals it and clears the plaintext; a row
-- written after it has only the sealed column. No marker inside a value has to be guessed.
alter table tenants add column status_webhook_secret_sealed bytea;

alter table documents alter column content drop not null;
alter table documents add column content_sealed bytea;

-- subject, html_body and text_body sealed together (one JSON document).
alter table rendered_payloads alter column text_body drop not null;
alter table rendered_payloads add column sealed bytea;

alter table deliveries alter column request drop not null;
alter table deliveries add column request_sealed bytea;

-- consents stay append-only: rows written before this migration keep their plaintext evidence.
alter table consents add column evidence_sealed bytea;
