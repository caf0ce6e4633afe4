import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { testConfig } from '../../src/config.ts';
import { rewrapMasterKeyFile } from '../../src/privacy/keyring.ts';
import { backup } from '../../src/ops/backup.ts';
import { BackupError } from '../../src/ops/stores.ts';
import { openRuntime } from '../../src/runtime.ts';
import { testPostgres } from '../support/postgres.ts';
import { DAY, msg, send } from '../support/scenario.ts';
import { repoRoot, tmpDataDir } from '../support/server.ts';

/**
 * A workspace's stores of its own: on a Postgres server its tables live in its own schema (and its
 * scheduled jobs elect their leader with their own lock); the one master key of the installation wraps
 * every workspace's data keys, so a master key rotation re-wraps them all.
 */

describe('workspaces on stores of their own', () => {
  const pg = testPostgres();

  it('keeps a workspace in its own Postgres schema, with its own leader lock', async () => {
    const url = await pg.database('hx_workspaces');
    const dir = tmpDataDir(after, 'hx-workspaces-pg-');
    const config = testConfig({ dataDir: dir, logLevel: 'silent', databaseUrl: url, workspaces: ['eu1'] });
    const main = await openRuntime(config, { command: 'test' });
    try {
      const eu = await openRuntime(config, { command: 'test', workspace: 'eu1', over: main });
      try {
        assert.equal(eu.workspace.pgSchema, 'ws_eu1');
        assert.notEqual(eu.workspace.leaderLock, main.workspace.leaderLock);
        await eu.oltp.query(`INSERT INTO write_keys (id, name, key_hash) VALUES ('wk_eu', 'eu', 'h-eu')`);
        const inSchema = await main.oltp.query<{ n: number }>(`SELECT count(*)::int AS n FROM ws_eu1.write_keys WHERE id = 'wk_eu'`);
        assert.equal(inSchema[0]!.n, 1);
        assert.equal((await main.oltp.query(`SELECT id FROM write_keys WHERE id = 'wk_eu'`)).length, 0, 'the default schema does not hold it');
        const tables = await main.oltp.query<{ n: number }>(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'ws_eu1'`);
        assert.ok(tables[0]!.n > 20, `the workspace schema has the whole set of tables (${tables[0]!.n})`);
      } finally {
        await eu.close();
      }
    } finally {
      await main.close();
    }
  });

  it('re-wraps every workspace\'s data keys with a new master key', async () => {
    const dir = tmpDataDir(after, 'hx-workspaces-keys-');
    const config = testConfig({ dataDir: dir, logLevel: 'silent', workspaces: ['eu1'] });
    let main = await openRuntime(config, { command: 'test' });
    let eu = await openRuntime(config, { command: 'test', workspace: 'eu1', over: main });
    const ids = [main.keyring.keyId, eu.keyring.keyId];
    const before = fs.readFileSync(path.join(dir, 'master.key'), 'utf8');
    assert.equal(await rewrapMasterKeyFile(dir, [main.keyring, eu.keyring]), 2);
    await eu.close();
    await main.close();
    assert.notEqual(fs.readFileSync(path.join(dir, 'master.key'), 'utf8'), before);
    main = await openRuntime(config, { command: 'test' });
    eu = await openRuntime(config, { command: 'test', workspace: 'eu1', over: main });
    try {
      assert.deepEqual([main.keyring.keyId, eu.keyring.keyId], ids, 'both workspaces open their keys with the new master key');
    } finally {
      await eu.close();
      await main.close();
    }
  });
});

describe('backups with workspaces', () => {
  it('refuses a backup that would leave the other workspaces out, and says what to do', async () => {
    const dir = tmpDataDir(after, 'hx-workspaces-backup-');
    const config = testConfig({ dataDir: dir, logLevel: 'silent', workspaces: ['eu1'] });
    const main = await openRuntime(config, { command: 'test' });
    const eu = await openRuntime(config, { command: 'test', workspace: 'eu1', over: main });
    await eu.close();
    await main.close();
    const out = path.join(tmpDataDir(after, 'hx-workspaces-backup-out-'), 'b');
    await assert.rejects(backup(config, out), (e: Error) => e instanceof BackupError && /workspaces besides default \(eu1\)/.test(e.message) && /docs\/workspaces.md#backups/.test(e.message));
    assert.equal(fs.existsSync(out), false, 'nothing half-written');
  });
});

describe('commands per workspace', () => {
  it('acts on the workspace --workspace names, and refuses one the installation does not have', async () => {
    const dir = tmpDataDir(after, 'hx-workspaces-cli-');
    const config = testConfig({ dataDir: dir, logLevel: 'silent', workspaces: ['shop2'] });
    const rt = await openRuntime(config, { command: 'test', workspace: 'shop2' });
    try {
      await send(rt, [msg.identify('cli-w1', Date.now() - DAY, { email: 'cli-w1@example.com' })]);
    } finally {
      await rt.close();
    }
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/huaxiang.js', ...args, '--data', dir], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, HX_WORKSPACES: 'shop2', HX_ADMIN_TOKEN: '' }, timeout: 300_000 });
    const there = run('export-user', 'cli-w1', '--workspace', 'shop2');
    assert.equal(there.status, 0, there.stderr);
    assert.equal(JSON.parse(there.stdout).traits.email, 'cli-w1@example.com');
    const notHere = run('export-user', 'cli-w1');
    assert.equal(notHere.status, 1);
    assert.match(notHere.stderr, /no data held for 'cli-w1'/);
    const unknown = run('export-user', 'cli-w1', '--workspace=shop3');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /'shop3' is not one of this installation's workspaces \(default, shop2;/);
  });
});
