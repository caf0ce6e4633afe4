import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { OltpStore } from '../store/oltp/index.ts';
import { deriveKey, open, pseudonym, seal } from './crypto.ts';

/**
 * Envelope encryption: a master key (HX_MASTER_KEY, or `master.key` in the data dir, mode 0600) wraps
 * data keys that live in the transactional store. Losing the master key loses the PII; rotating it
 * means re-wrapping the data keys, not re-encrypting the data.
 */
export function loadMasterKey(dataDir: string, fromEnv?: string): Buffer {
  if (fromEnv) return Buffer.from(fromEnv, 'base64');
  const file = path.join(dataDir, 'master.key');
  if (fs.existsSync(file)) {
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file}: not a 32-byte base64 key`);
    return key;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

interface KeyRow {
  id: string;
  wrapped_key: string;
  retired_at: Date | string | null;
}

export class MasterKeyMismatchError extends Error {}

/**
 * The PII data keys. Values are encrypted with the newest active key and name it (`v1:<keyId>:…`), so
 * a rotated-out key still opens what it sealed; the matching key (pseudonyms for joins and lookups)
 * comes from the first data key ever made and never changes, or stored pseudonyms would stop matching.
 */
export class Keyring {
  private encryptionKeys = new Map<string, Buffer>();
  private activeId = '';
  private matchKey: Buffer = Buffer.alloc(0);

  private constructor(
    private readonly db: OltpStore,
    private master: Buffer,
  ) {}

  /** Loads the PII data keys, creating the first on first start. */
  static async open(db: OltpStore, master: Buffer): Promise<Keyring> {
    const k = new Keyring(db, master);
    if (!(await k.rows()).length) await k.addKey();
    await k.load();
    return k;
  }

  /** the id of the key new values are encrypted with */
  get keyId(): string {
    return this.activeId;
  }

  encrypt(value: string): string {
    return `v1:${this.activeId}:${seal(this.encryptionKeys.get(this.activeId)!, value)}`;
  }

  decrypt(token: string): string {
    const [version, keyId, body] = token.split(':');
    const key = keyId ? this.encryptionKeys.get(keyId) : undefined;
    if (version !== 'v1' || !key || !body) throw new Error('unknown PII key');
    return open(key, body);
  }

  /** The matching hash for an already-normalised value. */
  match(value: string): string {
    return pseudonym(this.matchKey, value);
  }

  /**
   * Makes a new data key the active one and retires the others: new values are sealed with it, older
   * values stay readable with the key that sealed them. Returns the new and the retired key ids.
   */
  async rotateDataKey(): Promise<{ active: string; retired: string[] }> {
    const before = (await this.rows()).filter((r) => r.retired_at === null).map((r) => r.id);
    const id = await this.addKey(async (tx) => {
      await tx.query(`UPDATE data_keys SET retired_at = now() WHERE purpose = 'pii' AND retired_at IS NULL`);
    });
    await this.load();
    return { active: id, retired: before };
  }

  /**
   * Wraps every data key with a new master key, in one transaction; the data itself is not touched.
   * The caller stores the new master key (master.key or HX_MASTER_KEY) — see `rewrapMasterKeyFile`.
   */
  async rewrap(newMaster: Buffer): Promise<number> {
    if (newMaster.length !== 32) throw new Error('the new master key must be 32 bytes');
    const rows = await this.rows();
    await this.db.transaction(async (tx) => {
      for (const r of rows) {
        const plain = open(this.master, r.wrapped_key, r.id);
        await tx.query('UPDATE data_keys SET wrapped_key = $2 WHERE id = $1', [r.id, seal(newMaster, plain, r.id)]);
      }
    });
    this.master = newMaster;
    return rows.length;
  }

  /** every PII data key, oldest first, with whether it is retired */
  async list(): Promise<{ id: string; createdAt: string; retiredAt: string | null; active: boolean }[]> {
    const rows = await this.db.query<KeyRow & { created_at: Date | string }>(`SELECT id, wrapped_key, retired_at, created_at FROM data_keys WHERE purpose = 'pii' ORDER BY created_at, id`);
    return rows.map((r) => ({ id: r.id, createdAt: new Date(r.created_at).toISOString(), retiredAt: r.retired_at === null ? null : new Date(r.retired_at).toISOString(), active: r.id === this.activeId }));
  }

  private rows(): Promise<KeyRow[]> {
    return this.db.query<KeyRow>(`SELECT id, wrapped_key, retired_at FROM data_keys WHERE purpose = 'pii' ORDER BY created_at, id`);
  }

  private async addKey(before?: (tx: Pick<OltpStore, 'query'>) => Promise<void>): Promise<string> {
    const id = `dk_${randomBytes(6).toString('hex')}`;
    const wrapped = seal(this.master, randomBytes(32).toString('base64'), id);
    await this.db.transaction(async (tx) => {
      await before?.(tx);
      // created_at orders the keys; clock_timestamp() keeps a rotation inside one transaction after its predecessor
      await tx.query(`INSERT INTO data_keys (id, purpose, wrapped_key, created_at) VALUES ($1, 'pii', $2, clock_timestamp())`, [id, wrapped]);
    });
    return id;
  }

  private async load(): Promise<void> {
    const rows = await this.rows();
    const keys = new Map<string, Buffer>();
    let first: Buffer | null = null;
    for (const r of rows) {
      let dataKey: Buffer;
      try {
        dataKey = Buffer.from(open(this.master, r.wrapped_key, r.id), 'base64');
      } catch {
        throw new MasterKeyMismatchError('the master key does not open the stored data keys (HX_MASTER_KEY or master.key changed?)');
      }
      first ??= dataKey;
      keys.set(r.id, deriveKey(dataKey, 'pii-encrypt'));
    }
    const active = rows.filter((r) => r.retired_at === null).at(-1) ?? rows.at(-1)!;
    this.encryptionKeys = keys;
    this.activeId = active.id;
    this.matchKey = deriveKey(first!, 'pii-match');
  }
}

/**
 * Rotates the master key kept in the data dir: writes the new key beside the old one
 * (`master.key.next`), re-wraps the data keys of every keyring given (one per workspace: the master key
 * is the installation's), then renames it over `master.key`. A crash between the two leaves
 * `master.key.next`, which `loadMasterKey` finishes on the next start.
 */
export async function rewrapMasterKeyFile(dataDir: string, keyrings: readonly Keyring[], newMaster = randomBytes(32)): Promise<number> {
  const file = path.join(dataDir, 'master.key');
  const next = `${file}.next`;
  fs.writeFileSync(next, newMaster.toString('base64') + '\n', { mode: 0o600 });
  let n = 0;
  for (const k of keyrings) n += await k.rewrap(newMaster);
  fs.renameSync(next, file);
  return n;
}

/**
 * Opens the keyring with the configured master key (HX_MASTER_KEY or master.key). If a master-key
 * rotation stopped after re-wrapping but before renaming (`master.key.next` opens the keys and
 * master.key does not), the rename is finished here.
 */
export async function openKeyring(db: OltpStore, dataDir: string, fromEnv?: string): Promise<Keyring> {
  const next = path.join(dataDir, 'master.key.next');
  try {
    const k = await Keyring.open(db, loadMasterKey(dataDir, fromEnv));
    if (!fromEnv && fs.existsSync(next)) fs.rmSync(next);
    return k;
  } catch (err) {
    if (!(err instanceof MasterKeyMismatchError) || fromEnv || !fs.existsSync(next)) throw err;
    const k = await Keyring.open(db, Buffer.from(fs.readFileSync(next, 'utf8').trim(), 'base64'));
    fs.renameSync(next, path.join(dataDir, 'master.key'));
    return k;
  }
}
