import type { OltpStore, SqlExecutor } from '../store/oltp/index.ts';
import { BUILTIN_CATEGORIES, BUILTIN_TAGS } from './builtin/index.ts';
import { compilePlan, TagCompileError } from './compile/plan.ts';
import { checkValueType, kindOf, tagInput, type TagDef, type TagInput } from './dsl.ts';

/** A tag as stored and served (GET /api/v1/tags). */
export interface Tag extends TagDef {
  path: string;
  pathEn: string;
  builtin: boolean;
  status: 'active' | 'deprecated';
  version: number;
  updatedAt: string;
}

export interface Category {
  code: string;
  parent: string | null;
  name_zh: string;
  name_en: string;
  path: string;
  pathEn: string;
}

export class TagDefinitionError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

export class TagNotFoundError extends Error {}

interface TagRow {
  code: string; category: string; name_zh: string; name_en: string; kind: TagDef['kind']; value_type: TagDef['valueType'];
  purpose: TagDef['purpose']; refresh: TagDef['refresh']; owner: string; description: string; spec: TagDef['spec'];
  labels: TagDef['labels'] | null; builtin: boolean; status: Tag['status']; version: number; updated_at: string | Date;
}

/** The taxonomy in the OLTP store: categories, tags and every version of every definition. */
export class Taxonomy {
  /** active definitions, cached between changes (this process makes every change, through the methods below) */
  private cached: Promise<Map<string, TagDef>> | null = null;

  constructor(private readonly db: OltpStore) {}

  /** Adds the built-in categories and tags; a built-in whose definition changed in code gets a new version. */
  async seed(): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const [i, c] of BUILTIN_CATEGORIES.entries()) {
        await tx.query(
          `INSERT INTO tag_categories (code, parent, name_zh, name_en, sort) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (code) DO UPDATE SET parent = $2, name_zh = $3, name_en = $4, sort = $5`,
          [c.code, c.parent, c.name_zh, c.name_en, i],
        );
      }
      const existing = new Map((await tx.query<TagRow>('SELECT * FROM tags WHERE builtin')).map((r) => [r.code, r]));
      const builtins = new Map(BUILTIN_TAGS.map((b) => [b.code, normalise(b, 'system')]));
      for (const [i, b] of BUILTIN_TAGS.entries()) {
        const def = withRefresh(builtins.get(b.code)!, b.refresh, builtins);
        const old = existing.get(def.code);
        // jsonb keeps its own key order, so compare key-sorted forms
        if (old && canonical(definitionOf(rowToDef(old))) === canonical(definitionOf(def))) continue;
        await write(tx, def, { builtin: true, sort: i, by: 'system', bump: Boolean(old) });
      }
      // a built-in this release no longer ships stops being computed (kept, with its history)
      const gone = [...existing.values()].filter((r) => !builtins.has(r.code) && r.status === 'active').map((r) => r.code);
      if (gone.length) await tx.query(`UPDATE tags SET status = 'deprecated', version = version + 1, updated_at = now() WHERE code = ANY($1::text[])`, [gone]);
    });
    this.changed();
  }

  async categories(): Promise<Category[]> {
    const rows = await this.db.query<Omit<Category, 'path' | 'pathEn'>>('SELECT code, parent, name_zh, name_en FROM tag_categories ORDER BY sort, code');
    const by = new Map(rows.map((r) => [r.code, r]));
    const path = (c: (typeof rows)[number], k: 'name_zh' | 'name_en'): string => (c.parent && by.has(c.parent) ? `${path(by.get(c.parent)!, k)}/${c[k]}` : c[k]);
    return rows.map((r) => ({ ...r, path: path(r, 'name_zh'), pathEn: path(r, 'name_en') }));
  }

  async list(opts: { includeDeprecated?: boolean } = {}): Promise<Tag[]> {
    const cats = new Map((await this.categories()).map((c) => [c.code, c]));
    const rows = await this.db.query<TagRow>(
      `SELECT t.* FROM tags t JOIN tag_categories c ON c.code = t.category
       ${opts.includeDeprecated ? '' : "WHERE t.status = 'active'"} ORDER BY c.sort, t.sort, t.code`,
    );
    return rows.map((r) => toTag(r, cats));
  }

  async get(code: string): Promise<Tag> {
    const cats = new Map((await this.categories()).map((c) => [c.code, c]));
    const rows = await this.db.query<TagRow>('SELECT * FROM tags WHERE code = $1', [code]);
    if (!rows[0]) throw new TagNotFoundError(`no tag '${code}'`);
    return toTag(rows[0], cats);
  }

  /** Active definitions by code (what builds compute). */
  async definitions(): Promise<Map<string, TagDef>> {
    this.cached ??= this.db.query<TagRow>(`SELECT * FROM tags WHERE status = 'active'`).then((rows) => new Map(rows.map((r) => [r.code, rowToDef(r)])));
    this.cached.catch(() => (this.cached = null));
    return new Map(await this.cached);
  }

  private changed(): void {
    this.cached = null;
  }

  /** Checks a definition against the rest of the taxonomy: category, value type, references, cycles. */
  async check(input: unknown, owner: string): Promise<TagDef> {
    const parsed = tagInput.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new TagDefinitionError(`${issue.path.join('.') || 'body'}: ${issue.message}`, issue.path.join('.'));
    }
    const def = normalise(parsed.data, owner);
    const typeProblem = checkValueType(def.spec, def.valueType);
    if (typeProblem) throw new TagDefinitionError(`valueType: ${typeProblem}`, 'valueType');
    const cats = await this.categories();
    if (!cats.some((c) => c.code === def.category)) {
      throw new TagDefinitionError(`category: no category '${def.category}' (one of ${cats.map((c) => c.code).join(', ')})`, 'category');
    }
    if (def.spec.type !== 'model') {
      const defs = await this.definitions();
      defs.set(def.code, def);
      try {
        return withRefresh(def, parsed.data.refresh, defs);
      } catch (err) {
        if (err instanceof TagCompileError) throw new TagDefinitionError(`spec: ${err.message}`, 'spec');
        throw err;
      }
    }
    return def;
  }

  async create(input: unknown, by: string): Promise<Tag> {
    const def = await this.check(input, by);
    const exists = await this.db.query('SELECT 1 FROM tags WHERE code = $1', [def.code]);
    if (exists.length) throw new TagDefinitionError(`code: a tag '${def.code}' exists already`, 'code');
    await this.db.transaction((tx) => write(tx, def, { builtin: false, sort: 1000, by, bump: false }));
    this.changed();
    return this.get(def.code);
  }

  async update(code: string, input: unknown, by: string): Promise<Tag> {
    const current = await this.get(code);
    const def = await this.check({ ...(input as object), code }, current.owner);
    await this.db.transaction((tx) => write(tx, def, { builtin: current.builtin, sort: 1000, by, bump: true }));
    this.changed();
    return this.get(code);
  }

  async deprecate(code: string, by: string): Promise<Tag> {
    const current = await this.get(code);
    const dependants = [...(await this.definitions()).values()].filter((d) => d.code !== code && JSON.stringify(d.spec).includes(`{"tag":"${code}"}`));
    if (dependants.length) throw new TagDefinitionError(`'${code}' is used by ${dependants.map((d) => d.code).join(', ')}; change those first`, 'code');
    await this.db.query(`UPDATE tags SET status = 'deprecated', version = version + 1, updated_at = now() WHERE code = $1`, [code]);
    await this.db.query('INSERT INTO tag_versions (code, version, definition, changed_by) VALUES ($1, $2, $3, $4)', [
      code, current.version + 1, JSON.stringify({ ...definitionOf(current), status: 'deprecated' }), by,
    ]);
    this.changed();
    return this.get(code);
  }

  async versions(code: string): Promise<{ version: number; definition: unknown; changedBy: string; changedAt: string }[]> {
    const rows = await this.db.query<{ version: number; definition: unknown; changed_by: string; changed_at: string | Date }>(
      'SELECT version, definition, changed_by, changed_at FROM tag_versions WHERE code = $1 ORDER BY version DESC', [code]);
    return rows.map((r) => ({ version: r.version, definition: r.definition, changedBy: r.changed_by, changedAt: new Date(r.changed_at).toISOString() }));
  }
}

/**
 * The refresh mode a definition gets when its author did not choose: real-time when it is cheap — it
 * reads events and traits only — and scheduled when it needs product lines joined to the catalog
 * (preferences, price position), which would make every live refresh a second pass over line rows.
 * Compiling also proves the definition and its references are sound.
 */
function withRefresh(def: TagDef, chosen: TagDef['refresh'] | undefined, defs: ReadonlyMap<string, TagDef>): TagDef {
  if (def.spec.type === 'model') return def;
  const plan = compilePlan({ defs, outputs: [def.code] });
  if (chosen) return { ...def, refresh: chosen };
  return { ...def, refresh: plan.columns.some((c) => c.level === 'line') ? 'scheduled' : 'realtime' };
}

function normalise(input: TagInput, owner: string): TagDef {
  const d = tagInput.parse(input);
  const kind = d.kind ?? kindOf(d.spec);
  return { ...d, kind, owner: d.owner ?? owner, refresh: d.refresh ?? (kind === 'model' ? 'scheduled' : 'realtime') };
}

/** The parts of a tag that make a new version when they change. */
/** JSON with object keys sorted at every level (and undefined fields dropped), for comparing definitions. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).filter(([, y]) => y !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

function definitionOf(d: TagDef) {
  return { code: d.code, category: d.category, name_zh: d.name_zh, name_en: d.name_en, kind: d.kind, valueType: d.valueType, purpose: d.purpose,
    refresh: d.refresh, owner: d.owner, description: d.description, spec: d.spec, labels: d.labels ?? null };
}

async function write(tx: SqlExecutor, d: TagDef, o: { builtin: boolean; sort: number; by: string; bump: boolean }): Promise<void> {
  const rows = await tx.query<{ version: number }>(
    `INSERT INTO tags (code, category, name_zh, name_en, kind, value_type, purpose, refresh, owner, description, spec, labels, builtin, sort)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (code) DO UPDATE SET category = $2, name_zh = $3, name_en = $4, kind = $5, value_type = $6, purpose = $7,
       refresh = $8, owner = $9, description = $10, spec = $11, labels = $12, status = 'active',
       version = tags.version + ${o.bump ? 1 : 0}, updated_at = now()
     RETURNING version`,
    [d.code, d.category, d.name_zh, d.name_en, d.kind, d.valueType, d.purpose, d.refresh, d.owner, d.description,
      JSON.stringify(d.spec), d.labels ? JSON.stringify(d.labels) : null, o.builtin, o.sort],
  );
  await tx.query(
    `INSERT INTO tag_versions (code, version, definition, changed_by) VALUES ($1, $2, $3, $4) ON CONFLICT (code, version) DO NOTHING`,
    [d.code, rows[0]!.version, JSON.stringify(definitionOf(d)), o.by],
  );
}

function rowToDef(r: TagRow): TagDef {
  return {
    code: r.code, category: r.category, name_zh: r.name_zh, name_en: r.name_en, kind: r.kind, valueType: r.value_type,
    purpose: r.purpose, refresh: r.refresh, owner: r.owner, description: r.description, spec: r.spec, labels: r.labels ?? undefined,
  };
}

function toTag(r: TagRow, cats: Map<string, Category>): Tag {
  const c = cats.get(r.category);
  return {
    ...rowToDef(r),
    path: `${c?.path ?? r.category}/${r.name_zh}`,
    pathEn: `${c?.pathEn ?? r.category}/${r.name_en}`,
    builtin: r.builtin,
    status: r.status,
    version: r.version,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}
