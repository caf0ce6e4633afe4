// Exercises deploy/nginx.conf on this machine: a Postgres server (started here, as the tests do), two
// `huaxiang serve --role api` nodes and one `--role worker` sharing it, and nginx in front of the API nodes
// with the example config (only the addresses, ports and a throwaway self-signed certificate changed).
// Checks: batches through nginx all answer 200 and are spread over both nodes; /readyz answers through
// nginx and names the worker as leader; /metrics is not exposed; after a kill -9 of one API node every
// further batch still answers 200 (nginx retries ingestion on the other node) and is stored there.
//
//   node bin/run-ts.js bench/cluster/balancer.ts [--batches 40] [--base-port 18100]
//
// Each API node keeps its own embedded ClickHouse here (there is no ClickHouse server on this machine),
// so this checks the balancer and the roles, not shared analytics. Needs `nginx` and `openssl`
// (apt-get install -y nginx-light openssl); without them it says so and exits with code 2.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startPostgres } from '../../test/support/postgres.ts';
import { repoRoot } from '../lib/proc.ts';

const { values: flags } = parseArgs({ options: { batches: { type: 'string', default: '40' }, 'base-port': { type: 'string', default: '18100' } }, strict: true });
const batches = Number(flags.batches);
const base = Number(flags['base-port']);
const emit = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify({ bench: 'cluster-balancer', ...o }) + '\n');
for (const bin of ['nginx', 'openssl']) {
  if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) {
    emit({ case: 'stopped', reason: `${bin} is not installed (apt-get install -y nginx-light openssl)` });
    process.exit(2);
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-balancer-'));
const procs: ChildProcess[] = [];
const pg = await startPostgres();
const shared = {
  HX_DATABASE_URL: pg.url,
  HX_MASTER_KEY: randomBytes(32).toString('base64'),
  HX_ADMIN_TOKEN: `hxa_${randomBytes(18).toString('base64url')}`,
  HX_WRITE_KEY: `hxw_${randomBytes(12).toString('base64url')}`,
};

function node(role: 'api' | 'worker', port: number, name: string): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HX_')) env[k] = v;
  Object.assign(env, shared, { HX_NODE_NAME: name });
  const dir = path.join(tmp, name);
  const p = spawn(process.execPath, [path.join(repoRoot, 'bin/huaxiang.js'), 'serve', '--role', role, '--data', dir, '--port', String(port), '--log-level', 'warn'], {
    cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'inherit'],
  });
  procs.push(p);
  return new Promise((resolve, reject) => {
    let out = '';
    p.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/listening on/.test(out)) resolve(p);
    });
    p.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening`)));
  });
}

let nginx: ChildProcess | null = null;
let failed = false;
const check = (what: string, ok: boolean, detail: unknown) => {
  if (!ok) failed = true;
  emit({ case: 'check', what, ok, detail });
};
try {
  const [api1] = await Promise.all([node('api', base + 1, 'api-1'), node('api', base + 2, 'api-2'), node('worker', base + 3, 'worker-1')]);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(tmp, 'key.pem'), '-out', path.join(tmp, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const site = fs
    .readFileSync(path.join(repoRoot, 'deploy/nginx.conf'), 'utf8')
    .replace(/(    server 10\.0\.1\.\d+:8080[^\n]*\n)+/, `    server 127.0.0.1:${base + 1} max_fails=3 fail_timeout=10s;\n    server 127.0.0.1:${base + 2} max_fails=3 fail_timeout=10s;\n`)
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${base + 43} ssl http2;`)
    .replace('listen 80;', `listen 127.0.0.1:${base + 80};`)
    .replace('/etc/ssl/certs/analytics.example.com.pem', path.join(tmp, 'cert.pem'))
    .replace('/etc/ssl/private/analytics.example.com.key', path.join(tmp, 'key.pem'));
  fs.writeFileSync(path.join(tmp, 'site.conf'), site);
  fs.writeFileSync(path.join(tmp, 'nginx.conf'), `pid ${tmp}/nginx.pid;\nerror_log ${tmp}/nginx-error.log;\nevents {}\nhttp {\n  access_log off;\n  include ${tmp}/site.conf;\n}\n`);
  nginx = spawn('nginx', ['-c', path.join(tmp, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));

  // the certificate is this run's own: trust it for these requests only
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const lb = `https://127.0.0.1:${base + 43}`;
  const auth = `Basic ${Buffer.from(`${shared.HX_WRITE_KEY}:`).toString('base64')}`;
  const send = async () => {
    const batch = Array.from({ length: 20 }, (_, i) => ({
      type: 'track', event: 'Product Viewed', anonymousId: `anon-${i}`, messageId: randomUUID(), timestamp: new Date().toISOString(), properties: { product_id: 'p1' },
    }));
    return (await fetch(`${lb}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) })).status;
  };
  const stored = async (port: number) => Number(/^hx_ingest_messages_total\{result="stored"\} (\S+)$/m.exec(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())?.[1] ?? 0);

  const first = await Promise.all(Array.from({ length: batches }, send));
  const [s1, s2] = [await stored(base + 1), await stored(base + 2)];
  check('every batch through nginx answers 200', first.every((s) => s === 200), first.filter((s) => s !== 200));
  check('both API nodes took a share, and together stored every event', s1 > 0 && s2 > 0 && s1 + s2 === batches * 20, { 'api-1': s1, 'api-2': s2 });
  const ready = await fetch(`${lb}/readyz`);
  const body = (await ready.json()) as { ready: boolean; role: string; leaderNode: string | null };
  check('/readyz through nginx: 200, an api node, the worker leads', ready.status === 200 && body.role === 'api' && body.leaderNode === 'worker-1', body);
  check('/metrics is not exposed through nginx', (await fetch(`${lb}/metrics`)).status === 404, null);

  api1.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 300));
  const after: number[] = [];
  for (let i = 0; i < batches / 2; i++) after.push(await send());
  const s2After = await stored(base + 2);
  check('after kill -9 of api-1, every batch still answers 200', after.every((s) => s === 200), after.filter((s) => s !== 200));
  check('… and api-2 stored each of them', s2After - s2 === (batches / 2) * 20, { before: s2, after: s2After });
} finally {
  // nginx's master stops its workers on SIGTERM (a SIGKILL would leave them running)
  nginx?.kill('SIGTERM');
  for (const p of procs) p.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 2000));
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  await pg.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
emit({ case: 'done', ok: !failed });
process.exit(failed ? 1 : 0);
