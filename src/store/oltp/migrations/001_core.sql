-- Access: admin/API bearer tokens and ingestion write keys, stored as SHA-256 hashes only.
CREATE TABLE api_tokens (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  role        text NOT NULL CHECK (role IN ('admin', 'analyst', 'marketer', 'viewer')),
  token_hash  text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

CREATE TABLE write_keys (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  key_hash    text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

-- Data-encryption keys, each wrapped (AES-256-GCM) by the master key; the master key never lives here.
CREATE TABLE data_keys (
  id           text PRIMARY KEY,
  purpose      text NOT NULL,
  wrapped_key  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);

-- The identity map, kept flat: every distinct id (anonymousId or userId) points straight at its person.
-- A merge re-points rows in one transaction, so reads never walk chains. version feeds the
-- ClickHouse mirror (person_ids), where the highest version wins.
CREATE SEQUENCE identity_version;
CREATE TABLE identities (
  distinct_id  text PRIMARY KEY,
  person_id    text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('anonymous', 'user')),
  first_seen   timestamptz NOT NULL DEFAULT now(),
  version      bigint NOT NULL DEFAULT nextval('identity_version')
);
CREATE INDEX identities_person ON identities (person_id);

-- Why each link exists: the message that made it (for audit and for undoing a wrong merge).
CREATE TABLE identity_links (
  id           bigserial PRIMARY KEY,
  from_id      text NOT NULL,
  to_id        text NOT NULL,
  via          text NOT NULL,
  message_id   text NOT NULL,
  outcome      text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
