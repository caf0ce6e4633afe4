import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { OltpStore } from '../store/oltp/index.ts';
import { DEFAULT_WORKSPACE, workspaceMarker } from '../workspaces.ts';

export type Role = 'admin' | 'analyst' | 'marketer' | 'viewer';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A token's id in `api_tokens` (what the audit log records as the actor), derived from its hash. */
export const tokenId = (token: string) => `tok_${sha256(token).slice(0, 12)}`;

/** how long a key lookup is trusted before asking the store again (a revocation on another node takes effect within it) */
const CACHE_MS = 15_000;

export interface KeyInfo {
  id: string;
  kind: 'secret' | 'write';
  name: string;
  /** secret keys only */
  role: Role | null;
  /** secret keys only: answers leave personal fields out entirely */
  restrictedPii: boolean;
  createdAt: string;
  revokedAt: string | null;
}

/** A secret key as a request presents it: its id (the audit actor), role and restricted flag. */
export interface SecretKey {
  id: string;
  role: Role;
  restrictedPii: boolean;
}

/** Who a request authorised as (set by `ctx.authorize`): a key sent as Bearer, or the key a dashboard session was opened with. */
export interface Principal extends SecretKey {
  via: 'bearer' | 'session';
}

const principals = new WeakMap<FastifyRequest, Principal>();

/** Records who `req` authorised as; `principalOf` answers it for the rest of the request. */
export function setPrincipal(req: FastifyRequest, p: Principal): Principal {
  principals.set(req, p);
  return p;
}

/** Who `req` authorised as, once `ctx.authorize` has passed (undefined before). */
export const principalOf = (req: FastifyRequest): Principal | undefined => principals.get(req);

export class KeyNotFoundError extends Error {}
export class LastAdminKeyError extends Error {}

export interface Credentials {
  adminToken: string;
  writeKey: string;
}

/**
 * Bearer tokens and write keys. The store keeps only hashes; lookups are cached in memory because
 * every ingestion request checks its key.
 */
export class AccessStore {
  private writeKeys = new Map<string, { id: string | null; at: number }>();
  private tokens = new Map<string, { key: SecretKey | null; at: number }>();

  /** the prefix keys made here carry (`shop2.`; none in the default workspace), so a request names its workspace by its key */
  private readonly marker: string;

  /** `workspace`: the workspace whose keys these are (src/workspaces.ts) */
  constructor(
    private readonly db: OltpStore,
    readonly workspace = DEFAULT_WORKSPACE,
  ) {
    this.marker = workspaceMarker(workspace);
  }

  /**
   * Makes sure an admin token and a write key exist: the configured ones, else the ones kept in
   * `credentials.json` (mode 0600) in the data dir, else new ones written there. Returns them and
   * whether they were created now (so the caller prints them).
   */
  async bootstrap(dataDir: string, configured: Partial<Credentials>): Promise<Credentials & { created: boolean }> {
    const file = path.join(dataDir, 'credentials.json');
    const saved: Partial<Credentials> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
    let created = false;
    const adminToken = configured.adminToken ?? saved.adminToken ?? ((created = true), this.newKey('secret'));
    const writeKey = configured.writeKey ?? saved.writeKey ?? ((created = true), this.newKey('write'));
    if (created) {
      fs.mkdirSync(dataDir, { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ ...saved, adminToken: saved.adminToken ?? adminToken, writeKey: saved.writeKey ?? writeKey }, null, 2), { mode: 0o600 });
    }
    await this.addToken('admin', adminToken, 'admin');
    await this.addWriteKey('default', writeKey);
    return { adminToken, writeKey, created };
  }

  /** a fresh key of the kind, with the workspace's marker */
  private newKey(kind: 'secret' | 'write'): string {
    return kind === 'secret' ? `hxa_${this.marker}${randomBytes(24).toString('base64url')}` : `hxw_${this.marker}${randomBytes(18).toString('base64url')}`;
  }

  async addToken(name: string, token: string, role: Role, restrictedPii = false): Promise<void> {
    await this.db.query(
      'INSERT INTO api_tokens (id, name, role, token_hash, restricted_pii) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_hash) DO NOTHING',
      [tokenId(token), name, role, sha256(token), restrictedPii],
    );
    this.tokens.delete(sha256(token));
  }

  /** every secret key and write key, newest first (ids and names; the keys themselves are never stored) */
  async list(): Promise<KeyInfo[]> {
    const rows = await this.db.query<{ id: string; kind: 'secret' | 'write'; name: string; role: Role | null; restricted_pii: boolean; created_at: Date | string; revoked_at: Date | string | null }>(
      `SELECT id, 'secret' AS kind, name, role, restricted_pii, created_at, revoked_at FROM api_tokens
       UNION ALL SELECT id, 'write' AS kind, name, NULL AS role, false AS restricted_pii, created_at, revoked_at FROM write_keys
       ORDER BY created_at DESC, id`,
    );
    return rows.map((r) => ({ id: r.id, kind: r.kind, name: r.name, role: r.role, restrictedPii: Boolean(r.restricted_pii), createdAt: new Date(r.created_at).toISOString(), revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at).toISOString() }));
  }

  /** A new key: a secret key (admin API, with a role) or a write key (ingestion only). The key is returned once. */
  async create(kind: 'secret' | 'write', name: string, role: Role = 'viewer', restrictedPii = false): Promise<KeyInfo & { key: string }> {
    const key = this.newKey(kind);
    const id = kind === 'secret' ? (await this.addToken(name, key, role, restrictedPii), tokenId(key)) : await this.addWriteKey(name, key);
    return { ...(await this.info(id)), key };
  }

  /**
   * Revokes a key now; this node stops accepting it at once, other nodes within CACHE_MS. Dashboard sessions
   * opened with it end at once on every node (each session request reads the key's state).
   */
  async revoke(id: string): Promise<KeyInfo> {
    const table = id.startsWith('wk_') ? 'write_keys' : 'api_tokens';
    const admins = await this.db.query<{ id: string }>(`SELECT id FROM api_tokens WHERE role = 'admin' AND revoked_at IS NULL`);
    if (admins.length === 1 && admins[0]!.id === id) throw new LastAdminKeyError(`'${id}' is the only admin key left: create another admin key first`);
    const rows = await this.db.query<{ id: string }>(`UPDATE ${table} SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id`, [id]);
    if (!rows[0]) throw new KeyNotFoundError(`no key '${id}'`);
    if (table === 'api_tokens') await this.db.query('UPDATE dashboard_sessions SET ended_at = now() WHERE token_id = $1 AND ended_at IS NULL', [id]);
    this.tokens.clear();
    this.writeKeys.clear();
    return this.info(id);
  }

  /** A new key with the same kind, name and role, and the old one revoked. */
  async rotate(id: string): Promise<KeyInfo & { key: string; replaced: string }> {
    const old = await this.info(id);
    if (old.revokedAt) throw new KeyNotFoundError(`key '${id}' is revoked already`);
    const next = await this.create(old.kind, old.name, old.role ?? undefined, old.restrictedPii);
    await this.revoke(id);
    return { ...next, replaced: id };
  }

  async info(id: string): Promise<KeyInfo> {
    const found = (await this.list()).find((k) => k.id === id);
    if (!found) throw new KeyNotFoundError(`no key '${id}'`);
    return found;
  }

  async addWriteKey(name: string, key: string): Promise<string> {
    const id = `wk_${sha256(key).slice(0, 12)}`;
    await this.db.query('INSERT INTO write_keys (id, name, key_hash) VALUES ($1, $2, $3) ON CONFLICT (key_hash) DO NOTHING', [id, name, sha256(key)]);
    this.writeKeys.delete(sha256(key));
    return id;
  }

  /** The write key's id, or null when the key is unknown or revoked. */
  async writeKeyId(key: string): Promise<string | null> {
    const h = sha256(key);
    const hit = this.writeKeys.get(h);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.id;
    const rows = await this.db.query<{ id: string }>('SELECT id FROM write_keys WHERE key_hash = $1 AND revoked_at IS NULL', [h]);
    if (this.writeKeys.size > 10_000) this.writeKeys.clear();
    this.writeKeys.set(h, { id: rows[0]?.id ?? null, at: Date.now() });
    return rows[0]?.id ?? null;
  }

  async roleOf(token: string): Promise<Role | null> {
    return (await this.secretKey(token))?.role ?? null;
  }

  /** Whether the key is restricted from personal data (its answers leave personal fields out). */
  async restrictedPii(token: string): Promise<boolean> {
    return (await this.secretKey(token))?.restrictedPii ?? false;
  }

  /** The secret key's id, role and restricted flag; null when the token is unknown, revoked or a write key. */
  async secretKey(token: string): Promise<SecretKey | null> {
    const h = sha256(token);
    const hit = this.tokens.get(h);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.key;
    const rows = await this.db.query<{ id: string; role: Role; restricted_pii: boolean }>('SELECT id, role, restricted_pii FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL', [h]);
    if (this.tokens.size > 10_000) this.tokens.clear();
    const r = rows[0];
    const key = r ? { id: r.id, role: r.role, restrictedPii: Boolean(r.restricted_pii) } : null;
    this.tokens.set(h, { key, at: Date.now() });
    return key;
  }
}
