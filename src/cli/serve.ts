import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { buildApp } from '../server/app.ts';
import { leaderWork } from '../jobs/index.ts';
import { buildWorkerApp } from '../jobs/workerApp.ts';

export interface Server {
  rt: Runtime;
  app: FastifyInstance;
  url: string;
  adminToken: string;
  writeKey: string;
  credentialsCreated: boolean;
  close(): Promise<void>;
}

/** Opens the stores, ensures credentials and listens. Used by `serve` and `demo`. */
export async function startServer(config: Config, command = 'serve'): Promise<Server> {
  const rt = await openRuntime(config, { command });
  try {
    // a worker serves the ops endpoints only and needs no credentials (src/jobs/workerApp.ts)
    const worker = config.role === 'worker';
    const { app, ctx } = worker ? { app: buildWorkerApp(rt), ctx: null } : await buildApp(rt);
    const creds = ctx ? await ctx.access.bootstrap(config.dataDir, { adminToken: config.adminToken, writeKey: config.writeKey }) : { adminToken: '', writeKey: '', created: false };
    await app.listen({ port: config.port, host: config.host });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    rt.lock.update({ url });
    // scheduled work runs where this node is elected leader; an api node never schedules
    if (config.role !== 'api') {
      const work = leaderWork(rt, command);
      for (const j of work.jobs) rt.jobs.add(j);
      for (const s of work.services) rt.jobs.addService(s);
      rt.jobs.start();
    }
    let closing: Promise<void> | null = null;
    return {
      rt, app, url,
      adminToken: creds.adminToken,
      writeKey: creds.writeKey,
      credentialsCreated: creds.created,
      close: () => (closing ??= (async () => {
        // Stop accepting and let requests in flight finish. Node closes the connections idle at the moment
        // of close() only; a keep-alive connection whose request finishes later would hold close() open
        // until its keep-alive timeout (72 s), so idle ones are swept until the server is closed.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 200);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
        }
        // then flush the writer's queue, stop the engines and close the stores
        await rt.close();
      })()),
    };
  } catch (err) {
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
