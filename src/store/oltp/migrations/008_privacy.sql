-- The audit log: who viewed or exported which personal data, changed which tag, segment or campaign, ran
-- which erasure, adjusted which points. Append-only: the code has no UPDATE or DELETE for it, and the
-- trigger below refuses both (and TRUNCATE) for everyone, so a row once written stays as written.
-- Person subjects are stored as keyed pseudonyms (see src/privacy/audit.ts), so the log survives an
-- erasure without holding the erased id in the clear.
CREATE TABLE audit_log (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor         text NOT NULL,
  role          text NOT NULL,
  action        text NOT NULL,
  subject_type  text NOT NULL,
  subject_id    text NOT NULL,
  details       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
CREATE INDEX audit_log_actor ON audit_log (actor, at DESC);
CREATE INDEX audit_log_action ON audit_log (action, at DESC);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id, at DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Tombstones of erased persons: one keyed pseudonym (HMAC) per distinct id the person had, never the id
-- itself. Ingestion drops any message whose ids are here, so a retried or replayed message, a late
-- import or a rebuild cannot bring an erased person back.
CREATE TABLE erased_ids (
  pseudonym   text PRIMARY KEY,
  receipt_id  text NOT NULL,
  erased_at   timestamptz NOT NULL DEFAULT now()
);

-- Erasure receipts: what was removed from each store, kept as proof the request was served. The subject
-- is the pseudonym of the requested user id.
CREATE TABLE erasure_receipts (
  id            text PRIMARY KEY,
  subject       text NOT NULL,
  requested_by  text NOT NULL,
  erased_at     timestamptz NOT NULL DEFAULT now(),
  ids           integer NOT NULL,
  stores        jsonb NOT NULL,
  seconds       double precision NOT NULL
);
CREATE INDEX erasure_receipts_subject ON erasure_receipts (subject);
