-- A secret key may be restricted from personal data: its answers leave personal fields out entirely
-- (not even masked), whatever its role — for BI tools and other services that need behaviour, not people.
ALTER TABLE api_tokens ADD COLUMN restricted_pii boolean NOT NULL DEFAULT false;
