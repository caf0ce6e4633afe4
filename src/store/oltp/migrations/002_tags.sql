-- The tag taxonomy: categories form a tree; a tag sits in one category and carries its definition
-- (the JSON DSL in docs/tags.md). Built-in tags are seeded from code and owned by 'system'.
CREATE TABLE tag_categories (
  code        text PRIMARY KEY,
  parent      text REFERENCES tag_categories (code),
  name_zh     text NOT NULL,
  name_en     text NOT NULL,
  sort        integer NOT NULL DEFAULT 0
);

CREATE TABLE tags (
  code         text PRIMARY KEY,
  category     text NOT NULL REFERENCES tag_categories (code),
  name_zh      text NOT NULL,
  name_en      text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('attribute', 'statistical', 'rule', 'model')),
  value_type   text NOT NULL CHECK (value_type IN ('number', 'boolean', 'enum', 'string', 'date', 'ranked')),
  purpose      text NOT NULL CHECK (purpose IN ('analytics', 'personalization', 'marketing')),
  refresh      text NOT NULL CHECK (refresh IN ('realtime', 'scheduled')),
  owner        text NOT NULL,
  description  text NOT NULL DEFAULT '',
  spec         jsonb NOT NULL,
  labels       jsonb,
  builtin      boolean NOT NULL DEFAULT false,
  status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deprecated')),
  version      integer NOT NULL DEFAULT 1,
  sort         integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Every version of every definition, so a value can be traced to the definition that made it.
CREATE TABLE tag_versions (
  code        text NOT NULL REFERENCES tags (code),
  version     integer NOT NULL,
  definition  jsonb NOT NULL,
  changed_by  text NOT NULL,
  changed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (code, version)
);

-- Full builds: when, as of which moment, the score thresholds they fixed (used by incremental
-- refreshes until the next build), and per-tag coverage and distribution.
CREATE TABLE tag_builds (
  id           text PRIMARY KEY,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  as_of        timestamptz NOT NULL,
  status       text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  trigger      text NOT NULL,
  persons      bigint,
  thresholds   jsonb NOT NULL DEFAULT '{}',
  timings      jsonb NOT NULL DEFAULT '{}',
  error        text
);

CREATE TABLE tag_build_stats (
  build_id      text NOT NULL REFERENCES tag_builds (id) ON DELETE CASCADE,
  tag_code      text NOT NULL,
  covered       bigint NOT NULL,
  persons       bigint NOT NULL,
  distribution  jsonb NOT NULL,
  numeric       jsonb,
  PRIMARY KEY (build_id, tag_code)
);
