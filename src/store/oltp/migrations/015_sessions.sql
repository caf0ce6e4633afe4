-- Dashboard sessions (docs/api-keys.md#dashboard-sessions): a browser signs in once with a secret key and
-- then carries an HttpOnly cookie instead of the key. Only a hash of the session id is kept, so a copy of
-- this table opens no session; the CSRF token is derived from the id and not stored at all. A session
-- authorises as its key does now (role, restricted flag), so revoking the key ends it.
CREATE TABLE dashboard_sessions (
  id_hash      text PRIMARY KEY,
  token_id     text NOT NULL REFERENCES api_tokens (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  ended_at     timestamptz
);
CREATE INDEX dashboard_sessions_token ON dashboard_sessions (token_id) WHERE ended_at IS NULL;
