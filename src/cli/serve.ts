import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { buildApp } from '../server/app.ts';

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
    const { app, ctx } = await buildApp(rt);
    const creds = await ctx.access.bootstrap(config.dataDir, { adminToken: config.adminToken, writeKey: config.writeKey });
    await app.listen({ port: config.port, host: config.host });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    rt.lock.update({ url });
    if (command !== 'demo') rt.tags.schedule();
    rt.segments.schedule(config.segments.evaluateEveryMinutes);
    let closing: Promise<void> | null = null;
    return {
      rt, app, url,
      adminToken: creds.adminToken,
      writeKey: creds.writeKey,
      credentialsCreated: creds.created,
      close: () => (closing ??= (async () => {
        await app.close();
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
  out.write(`Huaxiang is listening on ${server.url}\n`);
  out.write(`  data dir     ${config.dataDir}\n`);
  if (server.credentialsCreated) {
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
