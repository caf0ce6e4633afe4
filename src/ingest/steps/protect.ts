import { maskIp, normaliseEmail, normalisePhone } from '../../privacy/crypto.ts';
import { scrubPii, wholeValuePii } from '../../privacy/detect.ts';

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

export interface Protected {
  /** traits without the PII fields */
  traits: Record<string, unknown>;
  /** field → ciphertext */
  pii: Record<string, string>;
  emailHash: string;
  phoneHash: string;
  ipMasked: string;
}

export function protectTraits(traits: Record<string, unknown> | undefined, ip: string | undefined, cipher: PiiCipher): Protected {
  const out: Protected = { traits: {}, pii: {}, emailHash: '', phoneHash: '', ipMasked: ip ? maskIp(ip) : '' };
  if (!traits) return out;
  for (const [k, v] of Object.entries(traits)) {
    const normalise = piiTraits[k as keyof typeof piiTraits];
    if (!normalise) {
      // personal data under a name we did not expect: a value that is one is encrypted like the named
      // fields; one inside free text is masked in place (src/privacy/detect.ts)
      const kind = typeof v === 'string' ? wholeValuePii(v) : null;
      if (kind) {
        out.pii[k] = cipher.encrypt(v as string);
        if (kind === 'phone' && !out.phoneHash) out.phoneHash = cipher.match(normalisePhone(v as string));
        if (kind === 'email' && !out.emailHash) out.emailHash = cipher.match(normaliseEmail(v as string));
        continue;
      }
      out.traits[k] = scrubPii(v).value;
      continue;
    }
    if (v === null || v === undefined || v === '') continue;
    const value = normalise(String(v));
    out.pii[k] = cipher.encrypt(String(v));
    if (k === 'email') out.emailHash = cipher.match(value);
    else if (k === 'phone') out.phoneHash = cipher.match(value);
  }
  return out;
}
