/**
 * The field classification: which traits and event properties hold personal data (`pii`), which hold
 * data that is not identifying but must not be shown to everyone (`sensitive`), and which are ordinary —
 * and what ingestion does with personal data detected in a field nobody classified (`encrypt`, `mask`
 * or `drop`). Built-in names (email, phone, ID numbers, address) are always personal; the configuration
 * (`privacy.fields`, HX_PRIVACY_FIELDS, docs/privacy.md) adds the shop's own.
 *
 * One classification is in force per process: `openRuntime` sets it from the configuration
 * (`setClassification`), and the protect step (src/ingest/steps/protect.ts) and masking
 * (src/privacy/mask.ts) read it, so every caller of the pipeline and every route that masks traits sees
 * the same one without passing it along.
 */

export const FIELD_CLASSES = ['pii', 'sensitive', 'ordinary'] as const;
export type FieldClass = (typeof FIELD_CLASSES)[number];
export const DETECTED_POLICIES = ['encrypt', 'mask', 'drop'] as const;
export type DetectedPolicy = (typeof DETECTED_POLICIES)[number];

/** The configured part, as `privacy.fields` holds it. */
export interface ClassificationConfig {
  traits: Record<string, FieldClass>;
  properties: Record<string, FieldClass>;
  detected: DetectedPolicy;
}

/** Keys are compared case-insensitively with `_` and `-` ignored: `wechatId`, `wechat_id` and `WeChat-ID` are one field. */
export const foldKey = (k: string) => k.toLowerCase().replace(/[_-]/g, '');

/** Trait names that are personal data whatever the configuration says: what protect encrypts by name (`piiTraits`). */
export const BUILT_IN_PII_TRAITS = ['email', 'phone', 'id_number', 'id_card'] as const;

export interface Classification {
  /** the class of a trait: built-in, configured, or null (unclassified: detection decides) */
  trait(key: string): FieldClass | null;
  /** the class of a top-level event property: configured, or null (unclassified: detection decides) */
  property(key: string): FieldClass | null;
  /** what ingestion does with personal data detected in an unclassified field */
  readonly detected: DetectedPolicy;
  /** true when any trait or property is configured (the bulk importer then routes messages naming one) */
  readonly configured: { traits: string[]; properties: string[] };
}

const builtIn = new Set(BUILT_IN_PII_TRAITS.map(foldKey));

export function compileClassification(c: Partial<ClassificationConfig> = {}): Classification {
  const traits = new Map(Object.entries(c.traits ?? {}).map(([k, v]) => [foldKey(k), v]));
  const properties = new Map(Object.entries(c.properties ?? {}).map(([k, v]) => [foldKey(k), v]));
  return {
    // a built-in personal field stays personal: the configuration may add classes, never declassify one
    trait: (key) => (builtIn.has(foldKey(key)) ? 'pii' : (traits.get(foldKey(key)) ?? null)),
    property: (key) => properties.get(foldKey(key)) ?? null,
    detected: c.detected ?? 'encrypt',
    configured: { traits: Object.keys(c.traits ?? {}), properties: Object.keys(c.properties ?? {}) },
  };
}

/** The effective classification as `GET /api/v1/privacy/classification` answers it. */
export function describeClassification(c: Classification): { traits: Record<string, FieldClass>; properties: Record<string, FieldClass>; detected: DetectedPolicy; builtIn: string[] } {
  const traits: Record<string, FieldClass> = {};
  for (const k of c.configured.traits) traits[k] = c.trait(k)!;
  const properties: Record<string, FieldClass> = {};
  for (const k of c.configured.properties) properties[k] = c.property(k)!;
  return { traits, properties, detected: c.detected, builtIn: [...BUILT_IN_PII_TRAITS] };
}

let active: Classification = compileClassification();

/** Puts a classification in force for this process (the runtime does, from `config.privacy.fields`). */
export function setClassification(c: Partial<ClassificationConfig> | Classification): Classification {
  active = 'trait' in c && typeof c.trait === 'function' ? (c as Classification) : compileClassification(c as Partial<ClassificationConfig>);
  return active;
}

/** The classification in force. */
export function classification(): Classification {
  return active;
}
