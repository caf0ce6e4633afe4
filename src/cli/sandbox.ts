import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadWorld, startSandbox } from '../campaigns/sandbox/index.ts';
import type { OfferChannel } from '../world/response.ts';
import { CliError } from './import.ts';

export const SANDBOX_USAGE = 'usage: huaxiang sandbox --world DIR --target URL --write-key K --token T [--port N] [--host H] [--seed S] [--secret S] [--seen-as inapp|push|sms|email] [--hour H] [--settle-after SECONDS]';

/**
 * `huaxiang sandbox` (docs/sandbox.md): the simulated audience of a generated world. Point the product's
 * webhook channel at its /deliveries (HX_WEBHOOK_URL, HX_WEBHOOK_SECRET = --secret), run a campaign, and
 * the sandbox answers with the orders the world's hidden response model implies; GET /campaigns/:id then
 * shows the run's true uplift beside what the product measures.
 */
export async function sandboxCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      world: { type: 'string' }, target: { type: 'string' }, 'write-key': { type: 'string' }, token: { type: 'string' },
      port: { type: 'string' }, host: { type: 'string' }, seed: { type: 'string' }, secret: { type: 'string' },
      'seen-as': { type: 'string' }, hour: { type: 'string' }, 'settle-after': { type: 'string' }, 'log-level': { type: 'string' },
    },
    strict: true,
  });
  for (const k of ['world', 'target', 'write-key', 'token'] as const) if (!values[k]) throw new CliError(`--${k} is required; ${SANDBOX_USAGE}`);
  const port = Number(values.port ?? 8090);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0…65535, got '${values.port}'`);
  const seenAs = (values['seen-as'] ?? 'inapp') as OfferChannel;
  if (!['inapp', 'push', 'sms', 'email'].includes(seenAs)) throw new CliError(`--seen-as must be inapp, push, sms or email, got '${values['seen-as']}'`);
  const hour = values.hour === undefined ? undefined : Number(values.hour);
  if (hour !== undefined && !(Number.isInteger(hour) && hour >= 0 && hour <= 23)) throw new CliError(`--hour must be 0…23, got '${values.hour}'`);
  const settleAfter = Number(values['settle-after'] ?? 60);
  if (!(settleAfter >= 0)) throw new CliError(`--settle-after must be a number of seconds ≥ 0, got '${values['settle-after']}'`);
  let target: URL;
  try {
    target = new URL(values.target!);
  } catch {
    throw new CliError(`--target must be the product's URL, like http://127.0.0.1:8080, got '${values.target}'`);
  }
  const log = pino({ level: values['log-level'] ?? 'info' });
  const world = await loadWorld(values.world!).catch((err: Error) => {
    throw new CliError(err.message);
  });
  const sb = await startSandbox({
    world, target: target.origin, writeKey: values['write-key']!, token: values.token!, seed: values.seed ?? '1', secret: values.secret,
    seenAs, hour, settleAfterMs: settleAfter * 1000, log, port, host: values.host ?? '127.0.0.1',
  });
  console.log(`sandbox listening on ${sb.url} with ${world.shoppers.length} shoppers (seed ${values.seed ?? '1'})`);
  console.log(`  webhook channel: HX_WEBHOOK_URL=${sb.deliveriesUrl}${values.secret ? ' HX_WEBHOOK_SECRET=<--secret>' : ' (no --secret: deliveries are not verified)'}`);
  console.log(`  settle: POST ${sb.url}/campaigns/<id>/settle${settleAfter ? ` (or ${settleAfter} s after a campaign's last delivery)` : ''}; truth: GET ${sb.url}/campaigns/<id>`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sb.close();
}
