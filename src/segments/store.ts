import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { OltpStore } from '../store/oltp/index.ts';
import type { Rule } from './rule.ts';

export interface Segment {
  id: string;
  name: string;
  description: string;
  kind: 'dynamic' | 'static';
  rule: Rule | null;
  webhook: { url: string } | null;
  size: number;
  evaluatedAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

const noNul = (s: string) => !s.includes('\u0000');

export const segmentInput = z.strictObject({
  name: z.string().min(1).max(200).refine(noNul, 'must not contain NUL'),
  description: z.string().max(2000).default(''),
  kind: z.enum(['dynamic', 'static']).default('dynamic'),
  rule: z.unknown().optional(),
  /** static segments: the user ids (userId or anonymousId) to hold */
  ids: z.array(z.string().min(1).max(256).refine(noNul, 'must not contain NUL')).max(1_000_000).optional(),
  webhook: z.strictObject({ url: z.url().refine((u) => /^https?:/.test(u), 'must be http(s)'), secret: z.string().min(16).max(200) }).optional(),
});
export type SegmentInput = z.infer<typeof segmentInput>;

interface Row {
  id: string; name: string; description: string; kind: Segment['kind']; rule: Rule | null; webhook_url: string | null;
  size: string | number; evaluated_at: Date | string | null; created_by: string; created_at: Date | string; updated_at: Date | string;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

function toSegment(r: Row): Segment {
  return {
    id: r.id, name: r.name, description: r.description, kind: r.kind, rule: r.rule, webhook: r.webhook_url ? { url: r.webhook_url } : null,
    size: Number(r.size), evaluatedAt: iso(r.evaluated_at), createdBy: r.created_by, createdAt: iso(r.created_at)!, updatedAt: iso(r.updated_at)!,
  };
}

export class SegmentNotFoundError extends Error {}

/** Segment definitions in Postgres. Webhook secrets are stored sealed by the keyring (`seal`/`unseal`). */
export class SegmentStore {
  constructor(
    private readonly db: OltpStore,
    private readonly seal: (s: string) => string,
    private readonly unseal: (s: string) => string,
  ) {}

  async list(): Promise<Segment[]> {
    return (await this.db.query<Row>('SELECT * FROM segments WHERE deleted_at IS NULL ORDER BY created_at DESC')).map(toSegment);
  }

  async get(id: string): Promise<Segment> {
    const r = await this.db.query<Row>('SELECT * FROM segments WHERE id = $1 AND deleted_at IS NULL', [id]);
    if (!r[0]) throw new SegmentNotFoundError(`no segment '${id}'`);
    return toSegment(r[0]);
  }

  async webhookOf(id: string): Promise<{ url: string; secret: string } | null> {
    const r = await this.db.query<{ webhook_url: string | null; webhook_secret: string | null }>('SELECT webhook_url, webhook_secret FROM segments WHERE id = $1', [id]);
    return r[0]?.webhook_url && r[0].webhook_secret ? { url: r[0].webhook_url, secret: this.unseal(r[0].webhook_secret) } : null;
  }

  async create(s: { name: string; description: string; kind: Segment['kind']; rule: Rule | null; webhook?: { url: string; secret: string } }, by: string): Promise<Segment> {
    const id = `seg_${randomBytes(6).toString('hex')}`;
    await this.db.query(
      `INSERT INTO segments (id, name, description, kind, rule, webhook_url, webhook_secret, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, s.name, s.description, s.kind, s.rule ? JSON.stringify(s.rule) : null, s.webhook?.url ?? null, s.webhook ? this.seal(s.webhook.secret) : null, by],
    );
    return this.get(id);
  }

  async update(id: string, s: { name: string; description: string; rule: Rule | null; webhook?: { url: string; secret: string } }): Promise<Segment> {
    await this.get(id);
    await this.db.query(
      `UPDATE segments SET name = $2, description = $3, rule = $4, webhook_url = $5, webhook_secret = $6, updated_at = now() WHERE id = $1`,
      [id, s.name, s.description, s.rule ? JSON.stringify(s.rule) : null, s.webhook?.url ?? null, s.webhook ? this.seal(s.webhook.secret) : null],
    );
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.db.query('UPDATE segments SET deleted_at = now() WHERE id = $1', [id]);
  }

  async dynamic(): Promise<Segment[]> {
    return (await this.list()).filter((s) => s.kind === 'dynamic' && s.rule);
  }

  async recordSize(id: string, size: number, entered: number, exited: number, source: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('INSERT INTO segment_sizes (segment_id, size, entered, exited, source) VALUES ($1, $2, $3, $4, $5)', [id, size, entered, exited, source]);
      await tx.query('UPDATE segments SET size = $2, evaluated_at = now() WHERE id = $1', [id, size]);
    });
  }

  async sizes(id: string, limit = 500): Promise<{ at: string; size: number; entered: number; exited: number; source: string }[]> {
    const rows = await this.db.query<{ at: Date | string; size: string; entered: string; exited: string; source: string }>(
      'SELECT at, size, entered, exited, source FROM segment_sizes WHERE segment_id = $1 ORDER BY at DESC LIMIT $2', [id, limit]);
    return rows.reverse().map((r) => ({ at: iso(r.at)!, size: Number(r.size), entered: Number(r.entered), exited: Number(r.exited), source: r.source }));
  }
}
