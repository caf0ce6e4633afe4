import type { OlapStore } from '../store/olap/index.ts';

interface IdentifyRow {
  traits: string;
  pii: string;
}

/** Opens one `pii` column value (field → ciphertext) into field → plain text; a value the key cannot open says so. */
export function openPii(pii: string, decrypt: (token: string) => string): Record<string, string> {
  if (!pii) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(JSON.parse(pii) as Record<string, string>)) {
    try {
      out[k] = decrypt(v);
    } catch {
      out[k] = '[unavailable]';
    }
  }
  return out;
}

/**
 * A person's current traits in the clear: every identify in time order, later values winning, the
 * encrypted fields opened. The same rule the profile uses, without its masking.
 */
export async function plainTraits(olap: OlapStore, ids: readonly string[], decrypt: (token: string) => string, piiKeys?: Set<string>): Promise<Record<string, unknown>> {
  const rows = await olap.query<IdentifyRow>(
    `SELECT traits, pii FROM ${olap.db}.events WHERE distinct_id IN {ids:Array(String)} AND type = 'identify' ORDER BY timestamp, message_id`,
    { ids },
  );
  const traits: Record<string, unknown> = {};
  for (const r of rows) {
    if (r.traits) Object.assign(traits, JSON.parse(r.traits));
    const opened = openPii(r.pii, decrypt);
    for (const k of Object.keys(opened)) piiKeys?.add(k);
    Object.assign(traits, opened);
  }
  return traits;
}
