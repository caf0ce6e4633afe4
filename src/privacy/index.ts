import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { IdentityGraph } from '../identity/index.ts';
import { runPipeline, type BatchingWriter } from '../ingest/index.ts';
import type { OlapStore } from '../store/olap/index.ts';
import type { OltpStore } from '../store/oltp/index.ts';
import type { TagEngine } from '../tags/index.ts';
import type { AuditLog } from './audit.ts';
import { discoverOlapErasables, olapErasables } from './erasables/olap.ts';
import { oltpErasables } from './erasables/oltp.ts';
import { ErasureRegistry, ErasureService, resolveSubject, type Actor, type ErasureReceipt } from './erasure.ts';
import { exportPerson, type PersonExport } from './export.ts';
import type { Keyring } from './keyring.ts';
import { isPersonalField } from './mask.ts';
import { personPseudonym } from './persons.ts';
import { Retention } from './retention.ts';
import { Tombstones } from './tombstones.ts';
import { ConsentService } from './consent.ts';
import { plainTraits } from './traits.ts';

export { AuditLog, type AuditAction, type AuditEntry, type AuditQuery, type AuditRecord } from './audit.ts';
export { ErasureRegistry, type Actor, type Erasable, type ErasureReceipt, type ErasureSubject } from './erasure.ts';
export { olapDelete } from './erasables/olap.ts';
export type { PersonExport } from './export.ts';
export { maskTraits, isPersonalField } from './mask.ts';
export { CONSENT_CHANNELS, ConsentSubjectNotFoundError, PURPOSES, type ConsentState } from './consent.ts';
export { DATA_CLASSES, DEFAULT_RETENTION, Retention, type DataClass, type RetentionRun } from './retention.ts';

export interface PrivacyDeps {
  config: Config;
  log: Logger;
  olap: OlapStore;
  oltp: OltpStore;
  keyring: Keyring;
  identity: IdentityGraph;
  audit: AuditLog;
  writer: BatchingWriter;
  tags: TagEngine;
}

export class PersonNotFoundError extends Error {}

/**
 * The data subject's rights, served over every registered store: access (export), rectification,
 * erasure with a receipt, and unmasking for those allowed to see personal data, each audited.
 * Modules that keep their own rows about a person call `registry.register(...)` when the runtime opens.
 */
export class Privacy {
  readonly registry = new ErasureRegistry();
  readonly tombstones: Tombstones;
  /** retention periods per data class, enforced by a daily job under `serve` */
  readonly retention: Retention;
  /** consent per purpose and channel, with its history */
  readonly consent: ConsentService;
  private readonly erasure: ErasureService;

  constructor(private readonly d: PrivacyDeps) {
    this.tombstones = new Tombstones(d.oltp, personPseudonym(d.keyring));
    this.retention = new Retention(d);
    this.consent = new ConsentService(d);
    for (const e of [...olapErasables(d.olap), ...oltpErasables(d.oltp)]) this.registry.register(e);
    this.erasure = new ErasureService({ ...d, tombstones: this.tombstones, registry: this.registry });
  }

  /** Registers the ClickHouse tables found in the schema that name people and no erasable covers yet. */
  async init(): Promise<void> {
    const known = new Set(this.registry.list().map((s) => s.name));
    for (const e of await discoverOlapErasables(this.d.olap, known)) this.registry.register(e);
  }

  /** Erases the person `userId` belongs to from every registered store. Erasing an unknown or already erased id returns a receipt of zeros. */
  erase(userId: string, by: Actor): Promise<ErasureReceipt> {
    return this.erasure.erase(userId, by);
  }

  receipt(id: string) {
    return this.erasure.receipt(id);
  }

  /** Everything held about the person, personal data in the clear; audited. Null when nothing is held. */
  async export(userId: string, by: Actor): Promise<PersonExport | null> {
    const s = await resolveSubject(this.d, userId);
    const traits = await plainTraits(this.d.olap, s.ids, (t) => this.d.keyring.decrypt(t));
    const out = await exportPerson({ ...this.d, registry: this.registry, decrypt: (t) => this.d.keyring.decrypt(t) }, s, traits);
    if (Object.values(out.stores).every((rows) => rows.length === 0)) return null;
    await this.d.audit.record({ ...by, action: 'profile.export', subjectType: 'person', subjectId: s.personId, details: { rows: Object.fromEntries(Object.entries(out.stores).map(([k, v]) => [k, v.length])) } });
    return out;
  }

  /**
   * The person's personal-data traits in the clear (what masking hides), for a caller allowed to see them;
   * audited with the fields shown.
   */
  async reveal(userId: string, by: Actor): Promise<Record<string, unknown>> {
    const personId = await this.d.identity.personOf(userId);
    const personal = await this.personalTraits(personId);
    await this.d.audit.record({ ...by, action: 'pii.unmask', subjectType: 'person', subjectId: personId, details: { fields: Object.keys(personal) } });
    return personal;
  }

  /** The personal-data traits in the clear, not audited: only for masking on the way out, or behind `reveal`. */
  async personalTraits(userId: string): Promise<Record<string, unknown>> {
    const s = await resolveSubject(this.d, userId);
    const sealed = new Set<string>();
    const all = await plainTraits(this.d.olap, s.ids, (t) => this.d.keyring.decrypt(t), sealed);
    // personal by name, or stored encrypted because its value was personal data (src/privacy/detect.ts)
    return Object.fromEntries(Object.entries(all).filter(([k]) => isPersonalField(k) || sealed.has(k)));
  }

  /**
   * Rectification: the corrected traits are stored as a new identify for the person, through the same
   * pipeline as any identify (personal fields encrypted), so it wins over earlier values everywhere traits
   * are read. Earlier identifies stay in the history (docs/privacy.md says why). Audited with the field names.
   */
  async rectify(userId: string, traits: Record<string, unknown>, by: Actor): Promise<{ userId: string; messageId: string; fields: string[] }> {
    const s = await resolveSubject(this.d, userId);
    const [known] = await this.d.olap.query<{ n: string }>(`SELECT count() AS n FROM ${this.d.olap.db}.events WHERE distinct_id IN {ids:Array(String)}`, { ids: s.ids });
    if (Number(known?.n ?? 0) === 0) throw new PersonNotFoundError(`no profile for userId '${userId}'`);
    const messageId = `rectify-${randomUUID()}`;
    const now = Date.now();
    const out = runPipeline(
      {
        messages: [{ type: 'identify', messageId, userId: s.personId, timestamp: new Date(now).toISOString(), traits, context: { library: { name: 'huaxiang-rectification' } } }],
        receivedAt: now,
        requestId: messageId,
        source: 'rectification',
        writeKeyId: 'rectification',
        maxMessageBytes: this.d.config.ingest.maxMessageBytes,
        maxFutureMs: this.d.config.ingest.maxFutureMs,
      },
      this.d.keyring,
    );
    if (out.rejected.length) throw new RectificationError(out.rejected.map((r) => `traits${r.path.replace(/^traits/, '')}: ${r.message}`).join('; '));
    await this.d.writer.submit(out.rows);
    const fields = Object.keys(traits);
    await this.d.audit.record({ ...by, action: 'profile.rectify', subjectType: 'person', subjectId: s.personId, details: { fields, messageId } });
    return { userId: s.personId, messageId, fields };
  }
}

export class RectificationError extends Error {}
