import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { deriveKey, open, pseudonym, seal } from '../../privacy/crypto.ts';
import { protectTraits, type PiiCipher } from './protect.ts';

const key = randomBytes(32);
const cipher: PiiCipher = {
  encrypt: (v) => seal(deriveKey(key, 'enc'), v),
  match: (v) => pseudonym(deriveKey(key, 'match'), v),
};

describe('protectTraits', () => {
  it('stores email and phone only encrypted, with a keyed hash of the normalised value', () => {
    const p = protectTraits({ email: ' Li.Na@Example.COM ', phone: '+86 138-0013-8000', city: '杭州' }, '203.0.113.77', cipher);
    assert.deepEqual(p.traits, { city: '杭州' });
    assert.ok(!JSON.stringify(p).includes('Li.Na') && !JSON.stringify(p).includes('13800138000'), 'no plain PII left');
    assert.equal(open(deriveKey(key, 'enc'), p.pii.email!), ' Li.Na@Example.COM ');
    assert.equal(p.emailHash, cipher.match('li.na@example.com'));
    assert.equal(p.phoneHash, cipher.match('13800138000'), '+86 and separators do not change the match');
    assert.equal(p.ipMasked, '203.0.113.0');
  });
  it('encrypts the same value differently each time (random IV) but hashes it the same', () => {
    const a = protectTraits({ email: 'a@b.cn' }, undefined, cipher);
    const b = protectTraits({ email: 'a@b.cn' }, undefined, cipher);
    assert.notEqual(a.pii.email, b.pii.email);
    assert.equal(a.emailHash, b.emailHash);
  });
  it('detects tampering with a ciphertext', () => {
    const sealed = seal(key, 'secret');
    const bytes = Buffer.from(sealed, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    assert.throws(() => open(key, bytes.toString('base64')));
  });
});
