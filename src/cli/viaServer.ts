import type { Config } from '../config.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { DataDirBusyError } from '../store/lock.ts';
import { CliError, serverToken } from './import.ts';

/**
 * Runs `local` on a runtime over the data dir, or, when `serve` holds the dir, sends the request to that
 * server's API instead (CONTRACT.md: a data dir belongs to one process) and returns its JSON body.
 * `quiet` stops the live tag refresher of the local runtime (commands that only read or queue);
 * `localError` turns a module's own errors into a one-line CliError.
 */
export async function locallyOrViaServer<T>(
  config: Config,
  command: string,
  local: (rt: Runtime) => Promise<T>,
  remote: { method: 'GET' | 'POST' | 'DELETE'; path: string },
  o: { quiet?: boolean; localError?: (err: unknown) => Error | undefined } = {},
): Promise<T> {
  try {
    const rt = await openRuntime(config, { command });
    try {
      if (o.quiet) await rt.tags.live.stop();
      return await local(rt);
    } catch (err) {
      throw o.localError?.(err) ?? err;
    } finally {
      await rt.close();
    }
  } catch (err) {
    if (!(err instanceof DataDirBusyError) || !err.holder.url) throw err;
    process.stderr.write(`data dir is held by the server at ${err.holder.url}; asking it\n`);
    const post = remote.method === 'POST';
    const res = await fetch(`${err.holder.url}${remote.path}`, {
      method: remote.method,
      headers: { authorization: `Bearer ${serverToken(config)}`, ...(post ? { 'content-type': 'application/json' } : {}) },
      ...(post ? { body: '{}' } : {}),
    });
    const body = (await res.json()) as T & { error?: { message: string } };
    if (!res.ok) throw new CliError(`the server answered ${res.status}: ${body.error?.message ?? ''}`);
    return body;
  }
}
