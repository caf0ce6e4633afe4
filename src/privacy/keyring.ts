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

export class Keyring {
  private constructor(
    readonly keyId: string,
    private readonly encryptionKey: Buffer,
    private readonly matchKey: Buffer,
  ) {}

  /** Loads the active PII data key, creating it on first start. */
  static async open(db: OltpStore, master: Buffer): Promise<Keyring> {
    const found = await db.query<{ id: string; wrapped_key: string }>(
      `SELECT id, wrapped_key FROM data_keys WHERE purpose = 'pii' AND retired_at IS NULL ORDER BY created_at LIMIT 1`,
    );
    let row = found[0];
    if (!row) {
      const id = `dk_${randomBytes(6).toString('hex')}`;
      const wrapped = seal(master, randomBytes(32).toString('base64'), id);
      await db.query(`INSERT INTO data_keys (id, purpose, wrapped_key) VALUES ($1, 'pii', $2)`, [id, wrapped]);
      row = { id, wrapped_key: wrapped };
    }
    let dataKey: Buffer;
    try {
      dataKey = Buffer.from(open(master, row.wrapped_key, row.id), 'base64');
    } catch {
      throw new Error('the master key does not open the stored data keys (HX_MASTER_KEY or master.key changed?)');
    }
    return new Keyring(row.id, deriveKey(dataKey, 'pii-encrypt'), deriveKey(dataKey, 'pii-match'));
  }

  encrypt(value: string): string {
    return `v1:${this.keyId}:${seal(this.encryptionKey, value)}`;
  }

  decrypt(token: string): string {
    const [version, keyId, body] = token.split(':');
    if (version !== 'v1' || keyId !== this.keyId || !body) throw new Error('unknown PII key');
    return open(this.encryptionKey, body);
  }

  /** The matching hash for an already-normalised value. */
  match(value: string): string {
    return pseudonym(this.matchKey, value);
  }
}
