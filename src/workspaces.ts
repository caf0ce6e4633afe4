import path from 'node:path';
import type { Config } from './config.ts';
import { LEADER_LOCK } from './jobs/leader.ts';
import type { OlapOptions } from './store/olap/index.ts';

/**
 * Workspaces (docs/workspaces.md): one installation serving several shops, each with its own stores,
 * keys, data keys and dashboard sessions. `default` is the installation's first shop and keeps the places
 * it has always had; every other workspace gets its own ClickHouse database, its own Postgres schema (or
 * PGlite directory) and its own credentials file. Nothing is shared between two workspaces but the
 * process, the master key that wraps their (separate) data keys, and the configuration.
 */

export const DEFAULT_WORKSPACE = 'default';

/** Letters and digits only: the name becomes part of a database, a schema and the keys' prefix. */
export const WORKSPACE_NAME = /^[a-z][a-z0-9]{0,31}$/;

/** Where a workspace's data lives. */
export interface WorkspacePlaces {
  name: string;
  /** the ClickHouse database of its tables */
  olapDatabase: string;
  /** its directory: PGlite under `pg/`, credentials.json, trained shop models */
  dir: string;
  /** its Postgres server URL (search_path set to its schema), when a server is configured */
  databaseUrl?: string;
  /** its Postgres schema on a server (`public` for the default workspace) */
  pgSchema: string;
  /** the advisory lock its scheduled jobs elect a leader with */
  leaderLock: number;
}

export function workspacePlaces(config: Pick<Config, 'dataDir' | 'clickhouse' | 'databaseUrl'>, name: string): WorkspacePlaces {
  if (name === DEFAULT_WORKSPACE) {
    return { name, olapDatabase: config.clickhouse.database, dir: config.dataDir, databaseUrl: config.databaseUrl, pgSchema: 'public', leaderLock: LEADER_LOCK };
  }
  if (!WORKSPACE_NAME.test(name)) throw new Error(`workspace '${name}' must be a lower-case letter then letters and digits (at most 32)`);
  const pgSchema = `ws_${name}`;
  return {
    name,
    olapDatabase: `${config.clickhouse.database}_ws_${name}`,
    dir: path.join(workspacesDir(config.dataDir), name),
    databaseUrl: config.databaseUrl ? withSearchPath(config.databaseUrl, pgSchema) : undefined,
    pgSchema,
    leaderLock: leaderLockOf(name),
  };
}

/** How to open a workspace's analytics store on its own connection: the configured server, or the embedded engine in the data dir. */
export function olapOptions(config: Pick<Config, 'dataDir' | 'clickhouse'>, places: WorkspacePlaces): OlapOptions {
  const { url, user, password, cluster } = config.clickhouse;
  return { url, user, password, cluster, database: places.olapDatabase, path: path.join(config.dataDir, 'clickhouse') };
}

/** Where the workspaces other than default keep their directories. */
export const workspacesDir = (dataDir: string): string => path.join(dataDir, 'workspaces');

/** The URL with `options=-c search_path=<schema>`: every connection made from it (pool, leader session) works in the schema. */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** A leader lock key per workspace, away from the default one and from the migration lock (7,246,001). */
function leaderLockOf(name: string): number {
  let h = 0x811c9dc5;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return 8_000_000 + (h % 1_000_000);
}

/**
 * The prefix a workspace puts on its keys and session ids (`hxa_shop2.…`), so a request names its workspace
 * by the credential it carries. The default workspace's keys have no marker, as before workspaces existed.
 */
export const workspaceMarker = (name: string): string => (name === DEFAULT_WORKSPACE ? '' : `${name}.`);

/** a key (`hxa_`/`hxw_` then the marker) or a session id (the marker alone) */
const CREDENTIAL = new RegExp(`^(?:hx[aw]_)?(${WORKSPACE_NAME.source.slice(1, -1)})\\.`);

/** The workspace a key (`hxa_…`/`hxw_…`) or a session id names; `default` when it names none. */
export function workspaceOfCredential(credential: string): string {
  const m = CREDENTIAL.exec(credential);
  return m ? m[1]! : DEFAULT_WORKSPACE;
}

/**
 * For a 401: when the credential names another workspace than the one that read it, the words that say so
 * (a key sent to the wrong workspace, e.g. with a `/w/<name>/` prefix that is not its own); else ''.
 */
export function otherWorkspaceHint(credential: string, here: string): string {
  const named = workspaceOfCredential(credential);
  return named === here ? '' : ` (the key is workspace '${named}''s, and this request went to workspace '${here}')`;
}
