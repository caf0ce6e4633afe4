import { maskIp, normaliseEmail, normalisePhone } from '../../privacy/crypto.ts';

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
      out.traits[k] = v;
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
