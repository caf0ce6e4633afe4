import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { testConfig } from '../../src/config.ts';
import { openRuntime } from '../../src/runtime.ts';

/** Seeding the built-in library again (every start) adds no version when nothing changed. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-seed-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

it('a second start writes no new tag versions', async () => {
  const counts: number[] = [];
  for (let i = 0; i < 2; i++) {
    const rt = await openRuntime(testConfig({ dataDir: dir, logLevel: 'silent' }), { command: 'test' });
    try {
      const [r] = await rt.oltp.query<{ n: number }>('SELECT count(*)::int AS n FROM tag_versions');
      counts.push(r!.n);
    } finally {
      await rt.close();
    }
  }
  assert.ok(counts[0]! > 50, `the built-ins were seeded (${counts[0]})`);
  assert.equal(counts[1], counts[0]);
});
