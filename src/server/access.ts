import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { OltpStore } from '../store/oltp/index.ts';

export type Role = 'admin' | 'analyst' | 'marketer' | 'viewer';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A token's id in `api_tokens` (what the audit log records as the actor), derived from its hash. */
export const tokenId = (token: string) => `tok_${sha256(token).slice(0, 12)}`;

export interface Credentials {
  adminToken: string;
  writeKey: string;
}

/**
 * Bearer tokens and write keys. The store keeps only hashes; lookups are cached in memory because
 * every ingestion request checks its key.
 */
export class AccessStore {
  private writeKeys = new Map<string, string | null>();
  private tokens = new Map<string, Role | null>();

  constructor(private readonly db: OltpStore) {}

  /**
   * Makes sure an admin token and a write key exist: the configured ones, else the ones kept in
   * `credentials.json` (mode 0600) in the data dir, else new ones written there. Returns them and
   * whether they were created now (so the caller prints them).
   */
  async bootstrap(dataDir: string, configured: Partial<Credentials>): Promise<Credentials & { created: boolean }> {
    const file = path.join(dataDir, 'credentials.json');
    const saved: Partial<Credentials> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
    let created = false;
    const adminToken = configured.adminToken ?? saved.adminToken ?? ((created = true), `hxa_${randomBytes(24).toString('base64url')}`);
    const writeKey = configured.writeKey ?? saved.writeKey ?? ((created = true), `hxw_${randomBytes(18).toString('base64url')}`);
    if (created) {
      fs.mkdirSync(dataDir, { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ ...saved, adminToken: saved.adminToken ?? adminToken, writeKey: saved.writeKey ?? writeKey }, null, 2), { mode: 0o600 });
    }
    await this.addToken('admin', adminToken, 'admin');
    await this.addWriteKey('default', writeKey);
    return { adminToken, writeKey, created };
  }

  async addToken(name: string, token: string, role: Role): Promise<void> {
    await this.db.query(
      'INSERT INTO api_tokens (id, name, role, token_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (token_hash) DO NOTHING',
      [tokenId(token), name, role, sha256(token)],
    );
    this.tokens.delete(sha256(token));
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
    if (!this.writeKeys.has(h)) {
      const rows = await this.db.query<{ id: string }>('SELECT id FROM write_keys WHERE key_hash = $1 AND revoked_at IS NULL', [h]);
      if (this.writeKeys.size > 10_000) this.writeKeys.clear();
      this.writeKeys.set(h, rows[0]?.id ?? null);
    }
    return this.writeKeys.get(h)!;
  }

  async roleOf(token: string): Promise<Role | null> {
    const h = sha256(token);
    if (!this.tokens.has(h)) {
      const rows = await this.db.query<{ role: Role }>('SELECT role FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL', [h]);
      if (this.tokens.size > 10_000) this.tokens.clear();
      this.tokens.set(h, rows[0]?.role ?? null);
    }
    return this.tokens.get(h)!;
  }
}
