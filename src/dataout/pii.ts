import type { Runtime } from '../runtime.ts';

/**
 * Trait keys that never leave in an export or the SQL console unless an admin asks for personal data
 * explicitly: the ones masked for display (src/privacy/mask.ts: contact details, ID numbers, address) plus
 * names, birthdays and user names. Compared case-insensitively with `_`/`-` ignored, as mask.ts does; the
 * safe profiles view (migration 007) filters the same list in SQL.
 */
export const EXPORT_PII_KEYS = ['email', 'phone', 'mobile', 'idnumber', 'idcard', 'address', 'name', 'firstname', 'lastname', 'birthday', 'username'] as const;

const fold = (k: string) => k.toLowerCase().replace(/[_-]/g, '');
const personal = new Set<string>(EXPORT_PII_KEYS);

export const isExportPii = (key: string) => personal.has(fold(key));

/**
 * The personal data of every person, in the clear, as one JSON object per person: the encrypted fields
 * (email, phone, ID numbers: decrypted with the keyring) and the personal keys of the traits (names,
 * addresses, birthdays), latest value per key. Read from the identify messages only.
 */
export async function personalData(rt: Pick<Runtime, 'olap' | 'keyring'>): Promise<{ person_id: string; pii: string }[]> {
  const db = rt.olap.db;
  const rows = await rt.olap.query<{ person_id: string; traits: string[]; pii: string[] }>(
    `SELECT person_id, arrayMap(x -> x.2, sorted) AS traits, arrayMap(x -> x.3, sorted) AS pii
     FROM (SELECT person_id, arraySort(x -> x.1, groupArray((ts, traits, pii))) AS sorted FROM (
       SELECT coalesce(nullIf(pm.person_id, ''), if(e.user_id != '', e.user_id, e.distinct_id)) AS person_id, e.traits AS traits, e.pii AS pii, e.timestamp AS ts
       FROM ${db}.events AS e
       LEFT JOIN ${db}_safe.identities AS pm ON pm.distinct_id = e.distinct_id
       WHERE e.type = 'identify' AND (e.pii != '' OR e.traits != '')
     )
     GROUP BY person_id)`,
  );
  const out: { person_id: string; pii: string }[] = [];
  for (const r of rows) {
    const clear: Record<string, unknown> = {};
    // in time order: later identifies overwrite earlier ones
    for (let i = 0; i < r.traits.length; i++) {
      if (r.traits[i]) for (const [k, v] of Object.entries(JSON.parse(r.traits[i]!) as Record<string, unknown>)) if (isExportPii(k)) clear[k] = v;
      if (r.pii[i]) {
        for (const [k, token] of Object.entries(JSON.parse(r.pii[i]!) as Record<string, string>)) {
          try {
            clear[k] = rt.keyring.decrypt(token);
          } catch {
            // a key shredded by erasure or rotation: the value is gone, which is what erasure promised
          }
        }
      }
    }
    if (Object.keys(clear).length) out.push({ person_id: r.person_id, pii: JSON.stringify(clear) });
  }
  return out;
}
