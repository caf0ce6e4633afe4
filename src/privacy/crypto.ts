import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** AES-256-GCM with a random 96-bit IV; output `iv|tag|ciphertext`, base64. */
export function seal(key: Buffer, plaintext: string, aad = ''): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad) cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
}

export function open(key: Buffer, sealed: string, aad = ''): string {
  const buf = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
  if (aad) decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(buf.subarray(12, 28));
  return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
}

/** A sub-key for one use, so the matching hash key and the encryption key are never the same bytes. */
export function deriveKey(key: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
}

/** Keyed pseudonym (HMAC-SHA256, hex): equal inputs match, but the value cannot be guessed back without the key. */
export function pseudonym(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex');
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Digits only; a mainland number written with +86/0086 matches the same number written without. */
export function normalisePhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return /^(0086|86)1\d{10}$/.test(digits) ? digits.replace(/^(0086|86)/, '') : digits;
}

/** Keeps the network, drops the host: IPv4 /24, IPv6 /48. */
export function maskIp(ip: string): string {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return ip.replace(/\.\d+$/, '.0');
  if (ip.includes(':')) return ip.split(':').slice(0, 3).join(':') + '::';
  return '';
}

