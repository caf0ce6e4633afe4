import { classification, type Classification } from '../../privacy/classification.ts';
import { maskIp, normaliseEmail, normalisePhone } from '../../privacy/crypto.ts';
import { isIdentifierKey, scrubPii, wholeValuePii } from '../../privacy/detect.ts';
import { maskValue } from '../../privacy/mask.ts';

/** The two operations protect needs; the Keyring provides them. */
export interface PiiCipher {
  encrypt(value: string): string;
  match(value: string): string;
}

/** Traits that identify a person directly: stored only encrypted, plus a keyed hash to match on. */
export const piiTraits = {
  email: normaliseEmail,
  phone: normalisePhone,
  // resident ID numbers (身份证): encrypted only, never matched on
  id_number: (s: string) => s.trim().toUpperCase(),
  idNumber: (s: string) => s.trim().toUpperCase(),
  id_card: (s: string) => s.trim().toUpperCase(),
  idCard: (s: string) => s.trim().toUpperCase(),
} as const;

/** How long a sealed value may be reused for the same plain value (context.traits repeated on every track call). */
const REUSE_MS = 60_000;
const REUSE_MAX = 50_000;

interface Memo {
  sealed: Map<string, string>;
  matched: Map<string, string>;
  since: number;
}
const memos = new WeakMap<PiiCipher, Memo>();

/**
 * The cipher with its work remembered for a minute: the matching hash of a value (deterministic, so
 * nothing changes but the cost) and — only where `reuse` is asked for — the sealed value itself. A browser
 * SDK sends the same `context.traits` email and phone with every track call; sealing each once a minute
 * instead of once an event is most of what protecting them costs. Equal values sealed within that minute
 * have equal ciphertexts, which says no more than their equal `email_hash` / `phone_hash` already does.
 * Identify traits are always sealed afresh.
 */
function remembering(cipher: PiiCipher, reuse: boolean): PiiCipher {
  let m = memos.get(cipher);
  const now = Date.now();
  if (!m || now - m.since > REUSE_MS || m.sealed.size + m.matched.size > REUSE_MAX) memos.set(cipher, (m = { sealed: new Map(), matched: new Map(), since: now }));
  const memo = m;
  return {
    encrypt: (v) => {
      if (!reuse) return cipher.encrypt(v);
      let out = memo.sealed.get(v);
      if (out === undefined) memo.sealed.set(v, (out = cipher.encrypt(v)));
      return out;
    },
    match: (v) => {
      let out = memo.matched.get(v);
      if (out === undefined) memo.matched.set(v, (out = cipher.match(v)));
      return out;
    },
  };
}

/** The key under which an encrypted event property is kept in the `pii` column (traits keep their own name). */
export const propertyPiiKey = (k: string) => `properties.${k}`;

export interface Protected {
  /** traits without the PII fields */
  traits: Record<string, unknown>;
  /** field → ciphertext */
  pii: Record<string, string>;
  emailHash: string;
  phoneHash: string;
  ipMasked: string;
}

const empty = (v: unknown) => v === null || v === undefined || v === '';
const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Traits as stored: built-in and configured `pii` traits encrypted (with a matching hash for an email or
 * phone), `sensitive` and `ordinary` ones as sent, and the rest scanned for personal data, which the
 * detection policy encrypts, masks or drops (src/privacy/classification.ts). `reuse`: the traits are the
 * `context.traits` of a track call, whose sealed values may be reused for a minute (`remembering`).
 */
export function protectTraits(traits: Record<string, unknown> | undefined, ip: string | undefined, given: PiiCipher, cls: Classification = classification(), reuse = false): Protected {
  const out: Protected = { traits: {}, pii: {}, emailHash: '', phoneHash: '', ipMasked: ip ? maskIp(ip) : '' };
  if (!traits) return out;
  const cipher = remembering(given, reuse);
  const hashWhole = (kind: string | null, v: string) => {
    if (kind === 'phone' && !out.phoneHash) out.phoneHash = cipher.match(normalisePhone(v));
    if (kind === 'email' && !out.emailHash) out.emailHash = cipher.match(normaliseEmail(v));
  };
  for (const [k, v] of Object.entries(traits)) {
    const normalise = piiTraits[k as keyof typeof piiTraits];
    if (normalise) {
      if (empty(v)) continue;
      const value = normalise(String(v));
      out.pii[k] = cipher.encrypt(String(v));
      if (k === 'email') out.emailHash = cipher.match(value);
      else if (k === 'phone') out.phoneHash = cipher.match(value);
      continue;
    }
    const c = cls.trait(k);
    if (c === 'pii') {
      // a field the shop declared personal: encrypted whatever it holds
      if (empty(v)) continue;
      out.pii[k] = cipher.encrypt(text(v));
      if (typeof v === 'string') hashWhole(wholeValuePii(v), v);
      continue;
    }
    if (c === 'sensitive' || c === 'ordinary') {
      // stored as sent: a sensitive trait is masked on the way out (src/privacy/mask.ts)
      out.traits[k] = v;
      continue;
    }
    // personal data under a name nobody classified: a value that is one is encrypted like the named
    // fields; one inside free text is masked in place (src/privacy/detect.ts) — or either is masked or
    // dropped, as the detection policy says
    const kind = typeof v === 'string' ? wholeValuePii(v) : null;
    if (kind) {
      if (cls.detected === 'encrypt') {
        out.pii[k] = cipher.encrypt(v as string);
        hashWhole(kind, v as string);
      } else if (cls.detected === 'mask') out.traits[k] = maskValue(v);
      continue;
    }
    const scrubbed = scrubPii(v);
    if (scrubbed.found && cls.detected === 'drop') continue;
    out.traits[k] = scrubbed.value;
  }
  return out;
}

/**
 * Event properties as stored. A configured `pii` property is encrypted into the `pii` column (as
 * `properties.<name>`) and kept in place in masked form, so reports and the API show `138****5678`;
 * `sensitive` and `ordinary` ones are kept as sent; the rest are scanned: personal data in them is masked
 * in place (a whole value also encrypted, under policy `encrypt`), or the property dropped (`drop`).
 * Identifier keys (`order_id`, `sku` …) are never scanned.
 */
export function protectProperties(props: Record<string, unknown>, cipher: PiiCipher, pii: Record<string, string>, cls: Classification = classification()): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  const set = (k: string, v: unknown) => {
    out ??= { ...props };
    if (v === undefined) delete out[k];
    else out[k] = v;
  };
  for (const [k, v] of Object.entries(props)) {
    const c = cls.property(k);
    if (c === 'pii') {
      if (empty(v)) continue;
      pii[propertyPiiKey(k)] = cipher.encrypt(text(v));
      set(k, maskValue(v));
      continue;
    }
    if (c === 'sensitive' || c === 'ordinary' || isIdentifierKey(k)) continue;
    const scrubbed = scrubPii(v);
    if (!scrubbed.found) continue;
    if (cls.detected === 'drop') set(k, undefined);
    else {
      if (cls.detected === 'encrypt' && typeof v === 'string' && wholeValuePii(v)) pii[propertyPiiKey(k)] = cipher.encrypt(v);
      set(k, scrubbed.value);
    }
  }
  return out ?? props;
}

/** Context as stored (ip and traits taken out before): personal data masked, or the field dropped under policy `drop`. */
export function protectContext(context: Record<string, unknown>, cls: Classification = classification()): Record<string, unknown> {
  if (cls.detected !== 'drop') return scrubPii(context).value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(context)) if (isIdentifierKey(k) || !scrubPii(v).found) out[k] = v;
  return out;
}
