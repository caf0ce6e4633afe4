import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { testConfig } from '../../src/config.ts';
import { Keyring, rewrapMasterKeyFile } from '../../src/privacy/keyring.ts';
import { searchUsers } from '../../src/profiles/search.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { DAY, msg, send } from '../support/scenario.ts';

/**
 * Key rotation: a new data key seals new values while older ones stay readable with the key that
 * sealed them; email/phone lookups (keyed pseudonyms) match across the rotation; a new master key
 * re-wraps the data keys so the old master key opens nothing, and a rotation that stopped before its
 * rename is finished at the next start.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-keys-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const open = () => openRuntime(testConfig({ dataDir: dir, logLevel: 'silent' }), { command: 'test' });
const NOW = Date.now();

async function piiKeyIds(rt: Runtime, userId: string): Promise<string[]> {
  const rows = await rt.olap.query<{ pii: string }>(`SELECT pii FROM ${rt.olap.db}.events WHERE user_id = {u:String} AND type = 'identify' AND pii != ''`, { u: userId });
  return rows.flatMap((r) => Object.values(JSON.parse(r.pii) as Record<string, string>).map((t) => t.split(':')[1]!));
}

describe('PII key rotation', () => {
  it('rotates the data key: old and new values both open, lookups still match', async () => {
    const rt = await open();
    try {
      await send(rt, [msg.identify('k-1', NOW - 2 * DAY, { email: 'first@example.com', phone: '13912345678' })]);
      const before = rt.keyring.keyId;
      const r = await rt.keyring.rotateDataKey();
      assert.notEqual(r.active, before);
      assert.deepEqual(r.retired, [before]);
      assert.equal(rt.keyring.keyId, r.active);
      await send(rt, [msg.identify('k-2', NOW - DAY, { email: 'second@example.com' })]);

      assert.deepEqual([...new Set(await piiKeyIds(rt, 'k-1'))], [before], 'the first person was sealed with the first key');
      assert.deepEqual([...new Set(await piiKeyIds(rt, 'k-2'))], [r.active], 'the second with the new one');
      assert.equal((await rt.privacy.personalTraits('k-1')).email, 'first@example.com');
      assert.equal((await rt.privacy.personalTraits('k-2')).email, 'second@example.com');
      const byEmail = await searchUsers(rt, { email: 'first@example.com', limit: 10 });
      assert.deepEqual(byEmail.map((h) => h.userId), ['k-1'], 'the matching hash did not change with the rotation');

      const keys = await rt.keyring.list();
      assert.deepEqual(keys.map((k) => [k.id, k.active, k.retiredAt !== null]), [[before, false, true], [r.active, true, false]]);
    } finally {
      await rt.close();
    }
  });

  it('re-wraps the data keys with a new master key; the old one no longer opens them', async () => {
    const oldMaster = Buffer.from(fs.readFileSync(path.join(dir, 'master.key'), 'utf8').trim(), 'base64');
    let rt = await open();
    try {
      assert.equal(await rewrapMasterKeyFile(dir, [rt.keyring]), 2);
    } finally {
      await rt.close();
    }
    const newMaster = Buffer.from(fs.readFileSync(path.join(dir, 'master.key'), 'utf8').trim(), 'base64');
    assert.notDeepEqual(newMaster, oldMaster);
    assert.equal(fs.existsSync(path.join(dir, 'master.key.next')), false);
    rt = await open();
    try {
      assert.equal((await rt.privacy.personalTraits('k-1')).email, 'first@example.com');
      assert.equal((await rt.privacy.personalTraits('k-2')).email, 'second@example.com');
      await assert.rejects(Keyring.open(rt.oltp, oldMaster), /master key does not open/);
    } finally {
      await rt.close();
    }
  });

  it('finishes a master-key rotation that stopped between re-wrapping and renaming', async () => {
    const current = fs.readFileSync(path.join(dir, 'master.key'), 'utf8');
    let rt = await open();
    const next = Buffer.alloc(32, 7);
    try {
      // what rewrapMasterKeyFile does, stopped before its rename
      fs.writeFileSync(path.join(dir, 'master.key.next'), next.toString('base64') + '\n', { mode: 0o600 });
      await rt.keyring.rewrap(next);
    } finally {
      await rt.close();
    }
    assert.equal(fs.readFileSync(path.join(dir, 'master.key'), 'utf8'), current, 'master.key still holds the old key');
    rt = await open();
    try {
      assert.equal((await rt.privacy.personalTraits('k-1')).email, 'first@example.com');
      assert.equal(fs.readFileSync(path.join(dir, 'master.key'), 'utf8').trim(), next.toString('base64'));
      assert.equal(fs.existsSync(path.join(dir, 'master.key.next')), false);
    } finally {
      await rt.close();
    }
  });
});
