import http from 'node:http';
import type { FastifyInstance, FastifyServerFactory } from 'fastify';
import type { Config } from '../config.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { buildApp } from '../server/app.ts';
import { leaderWork } from '../jobs/index.ts';
import { buildWorkerApp } from '../jobs/workerApp.ts';
import { workspaceDispatcher, type Handler } from '../server/workspaces.ts';
import { DEFAULT_WORKSPACE } from '../workspaces.ts';

/** One workspace as the server serves it: its runtime, its app and its credentials. */
export interface ServedWorkspace {
  rt: Runtime;
  app: FastifyInstance;
  adminToken: string;
  writeKey: string;
  credentialsCreated: boolean;
}

export interface Server extends ServedWorkspace {
  /** every workspace served, the default one first (docs/workspaces.md) */
  workspaces: Map<string, ServedWorkspace>;
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the stores of every workspace, ensures credentials and listens. Used by `serve` and `demo`. One
 * HTTP server answers for all workspaces: its handler picks the workspace's app per request
 * (src/server/workspaces.ts); the default workspace's app owns the server.
 */
export async function startServer(config: Config, command = 'serve'): Promise<Server> {
  const rt = await openRuntime(config, { command, workspace: DEFAULT_WORKSPACE });
  const served = new Map<string, ServedWorkspace>();
  const apps: FastifyInstance[] = [];
  try {
    // a worker serves the ops endpoints only and needs no credentials (src/jobs/workerApp.ts)
    const worker = config.role === 'worker';
    for (const name of config.workspaces) rt.others.push(await openRuntime(config, { command, workspace: name, over: rt }));
    const handlers = new Map<string, Handler>();
    for (const other of worker ? [] : rt.others) {
      const { app, ctx } = await buildApp(other);
      apps.push(app);
      await app.ready();
      handlers.set(other.workspace.name, app.routing);
      const creds = await ctx.access.bootstrap(other.workspace.dir, {});
      served.set(other.workspace.name, { rt: other, app, adminToken: creds.adminToken, writeKey: creds.writeKey, credentialsCreated: creds.created });
    }
    const serverFactory: FastifyServerFactory = (handler) => {
      handlers.set(DEFAULT_WORKSPACE, handler);
      return http.createServer(handlers.size > 1 ? workspaceDispatcher(handlers) : handler);
    };
    const { app, ctx } = worker ? { app: buildWorkerApp(rt), ctx: null } : await buildApp(rt, { serverFactory });
    apps.unshift(app);
    const creds = ctx ? await ctx.access.bootstrap(config.dataDir, { adminToken: config.adminToken, writeKey: config.writeKey }) : { adminToken: '', writeKey: '', created: false };
    const main: ServedWorkspace = { rt, app, adminToken: creds.adminToken, writeKey: creds.writeKey, credentialsCreated: creds.created };
    const workspaces = new Map([[DEFAULT_WORKSPACE, main], ...served]);
    await app.listen({ port: config.port, host: config.host });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    rt.lock.update({ url });
    // scheduled work runs where this node is elected leader (per workspace); an api node never schedules
    if (config.role !== 'api') {
      for (const r of [rt, ...rt.others]) {
        const work = leaderWork(r, command);
        for (const j of work.jobs) r.jobs.add(j);
        for (const s of work.services) r.jobs.addService(s);
        r.jobs.start();
      }
    }
    let closing: Promise<void> | null = null;
    return {
      ...main,
      workspaces,
      url,
      close: () => (closing ??= (async () => {
        // Stop accepting and let requests in flight finish. Node closes the connections idle at the moment
        // of close() only; a keep-alive connection whose request finishes later would hold close() open
        // until its keep-alive timeout (72 s), so idle ones are swept until the server is closed.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 200);
        try {
          for (const a of apps) await a.close();
        } finally {
          clearInterval(sweep);
        }
        // then flush the writers' queues, stop the engines and close the stores (the default workspace's last: it holds the lock)
        for (const other of rt.others) await other.close();
        await rt.close();
      })()),
    };
  } catch (err) {
    for (const a of apps) await a.close().catch(() => {});
    for (const other of rt.others) await other.close().catch(() => {});
    await rt.close();
    throw err;
  }
}

export async function serveCommand(config: Config): Promise<void> {
  const server = await startServer(config);
  const out = process.stdout;
  out.write(`Huaxiang ${config.role === 'all' ? '' : `(${config.role}) `}is listening on ${server.url}\n`);
  out.write(`  data dir     ${config.dataDir}\n`);
  if (config.role === 'worker') {
    out.write(`  serves       /healthz, /readyz, /metrics only; scheduled jobs run here while this node is the leader\n`);
  } else if (server.credentialsCreated) {
    out.write(`  admin token  ${server.adminToken}\n  write key    ${server.writeKey}\n`);
    out.write(`  (saved in ${config.dataDir}/credentials.json, mode 0600)\n`);
  } else {
    out.write(`  credentials  from HX_ADMIN_TOKEN/HX_WRITE_KEY or ${config.dataDir}/credentials.json\n`);
  }
  if (config.role !== 'worker') {
    for (const [name, w] of server.workspaces) {
      if (name === DEFAULT_WORKSPACE) continue;
      out.write(`  workspace    ${name}: ${server.url}/w/${name}/ (or any path with its keys)\n`);
      if (w.credentialsCreated) out.write(`    admin token  ${w.adminToken}\n    write key    ${w.writeKey}\n    (saved in ${w.rt.workspace.dir}/credentials.json, mode 0600)\n`);
    }
  }
  const stop = (signal: string) => {
    server.rt.log.info({ signal }, 'shutting down; flushing queued events');
    server.close().then(
      () => process.exit(0),
      (err) => {
        server.rt.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
