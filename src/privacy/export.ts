import { latestVersions } from '../store/olap/latest.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import type { TagEngine } from '../tags/index.ts';
import type { ErasureRegistry, ErasureSubject } from './erasure.ts';
import { openPii } from './traits.ts';

/** Everything held about a person, as one JSON document (the right of access). */
export interface PersonExport {
  format: 'huaxiang.person-export/1';
  userId: string;
  personId: string;
  exportedAt: string;
  ids: string[];
  /** current traits, encrypted fields opened */
  traits: Record<string, unknown>;
  /** current tag values with their names */
  tags: { code: string; name_zh: string; name_en: string; value: unknown; updatedAt: string }[];
  /** saved segments the person is in now */
  segments: { id: string; name: string }[];
  /** every registered store's rows about the person, by store name (events with their PII opened) */
  stores: Record<string, unknown[]>;
}

export interface ExportDeps {
  oltp: OltpStore;
  tags: TagEngine;
  registry: ErasureRegistry;
  decrypt(token: string): string;
}

/** Runs every store's export; event rows get their `pii` column opened, so the person receives their data, not ciphertext. */
export async function exportPerson(d: ExportDeps, s: ErasureSubject, traits: Record<string, unknown>): Promise<PersonExport> {
  const stores: Record<string, unknown[]> = {};
  for (const e of d.registry.list()) {
    if (!e.export) continue;
    const rows = await e.export(s);
    stores[e.name] = e.name === 'olap.events'
      ? rows.map((r) => {
          const row = r as Record<string, unknown>;
          return { ...row, pii: openPii(String(row.pii ?? ''), d.decrypt) };
        })
      : rows;
  }
  const [{ defs, values }, memberships] = await Promise.all([d.tags.valuesOf(s.personId), d.oltp.query<{ id: string; name: string }>(
    'SELECT id, name FROM segments WHERE id = ANY($1::text[]) ORDER BY id',
    [currentSegments(stores['olap.segment_members'] ?? [])],
  )]);
  return {
    format: 'huaxiang.person-export/1',
    userId: s.userId,
    personId: s.personId,
    exportedAt: new Date().toISOString(),
    ids: s.ids,
    traits,
    tags: values.map((v) => ({ code: v.code, name_zh: defs.get(v.code)?.name_zh ?? v.code, name_en: defs.get(v.code)?.name_en ?? v.code, value: v.value, updatedAt: v.updatedAt })),
    segments: memberships,
    stores,
  };
}

/** Segments whose latest membership row says member. */
function currentSegments(rows: unknown[]): string[] {
  const latest = latestVersions(rows as { segment_id: string; is_member: number; version: number | string }[], (r) => r.segment_id);
  return [...latest.values()].filter((r) => Number(r.is_member) === 1).map((r) => r.segment_id);
}
