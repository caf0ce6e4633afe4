// Public face of the synthetic shop generator: `generateWorld` streams Segment messages in time
// order (pull as lines or objects), `writeWorld` writes events, future events and the truth files.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unwire } from './encode.ts';
import { describeResponseModel } from './response.ts';
import { resolveOptions, WorldStream, type ResolvedWorldOptions, type WorldOptions } from './stream.ts';
import { categoryTruth, dirtTruth, itemTruth, socialTruth, summaryTruth, userTruth } from './truth.ts';
import { JsonlWriter } from './writer.ts';

export type { WorldOptions, ResolvedWorldOptions } from './stream.ts';
export { responseProbability, type Offer, type ResponseTraits, type ResponseResult } from './response.ts';
export { PERSONAS, type Persona } from './persona.ts';
export { bankOf, PHRASES, sentimentOfRating } from './reviews.ts';
export { Rng } from './random.ts';
export { unwire } from './encode.ts';

/** A Segment spec message as the generator writes it. */
export interface WorldMessage {
  type: 'track' | 'identify' | 'page' | 'screen' | 'alias';
  messageId: string;
  anonymousId?: string;
  userId?: string;
  previousId?: string;
  event?: string;
  name?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  timestamp: string;
  sentAt: string;
  context: Record<string, unknown>;
}

export interface WorldLine {
  /** The JSON line as a wire string (UTF-8 bytes in a one-byte string; `unwire` gives normal text). */
  line: string;
  /** After the horizon (belongs in future/events.jsonl). */
  future: boolean;
}

export interface World {
  readonly options: ResolvedWorldOptions;
  /** Time-ordered JSON lines (dirt included), history then future. Single use. */
  lines(): Generator<WorldLine>;
  /** The same stream parsed into message objects (history and future). Single use. */
  events(): Generator<WorldMessage>;
  [Symbol.iterator](): Generator<WorldMessage>;
  /** Push-style: feed every line to `out`, awaiting it between batches (backpressure). */
  run(out: (line: string, future: boolean) => void, between?: () => Promise<void>): Promise<void>;
  /** Truth records; complete once the stream has been consumed. */
  truth(): WorldTruth;
}

export interface WorldTruth {
  users(): Generator<Record<string, unknown>>;
  social(): Generator<Record<string, unknown>>;
  items(): Generator<Record<string, unknown>>;
  categories: Record<string, unknown>[];
  response: unknown;
  dirt: Record<string, unknown>;
  summary: Record<string, unknown>;
}

const BATCH = 20_000;

export function generateWorld(options: WorldOptions): World {
  const ws = new WorldStream(resolveOptions(options));
  let started = false;
  const claim = (): void => {
    if (started) throw new Error('a world can be streamed once; call generateWorld again');
    started = true;
  };
  function* lines(): Generator<WorldLine> {
    claim();
    let buf: WorldLine[] = [];
    const collect = (line: string, future: boolean): void => {
      buf.push({ line, future });
    };
    for (;;) {
      const finished = ws.pump(collect, BATCH);
      const out = buf;
      buf = [];
      yield* out;
      if (finished) return;
    }
  }
  function* events(): Generator<WorldMessage> {
    for (const l of lines()) yield JSON.parse(unwire(l.line)) as WorldMessage;
  }
  const sim = ws.sim;
  return {
    options: ws.options,
    lines,
    events,
    [Symbol.iterator]: events,
    async run(out, between) {
      claim();
      while (!ws.pump(out, BATCH)) if (between) await between();
    },
    truth: () => ({
      *users() {
        for (const p of sim.people) yield userTruth(p, sim);
      },
      *social() {
        for (const p of sim.people) yield socialTruth(p, sim);
      },
      *items() {
        for (const it of sim.catalog.items) yield itemTruth(it, sim.catalog);
      },
      categories: categoryTruth(sim.catalog),
      response: describeResponseModel(),
      dirt: dirtTruth(ws),
      summary: summaryTruth(ws),
    }),
  };
}

async function writeJsonl(path: string, rows: Iterable<unknown>): Promise<void> {
  const w = await JsonlWriter.create(path);
  let n = 0;
  for (const r of rows) {
    w.pushText(JSON.stringify(r));
    if (++n % 10_000 === 0) await w.ready();
  }
  await w.close();
}

/**
 * Write DIR/events.jsonl (history up to `days`), DIR/future/events.jsonl (the next `future` days),
 * DIR/catalog/ (what a shop's product feed would show) and DIR/truth/ (hidden truth).
 * Returns the summary that is also written to truth/summary.json.
 */
export async function writeWorld(options: WorldOptions & { out: string }): Promise<Record<string, unknown>> {
  const dir = options.out;
  await Promise.all(['future', 'truth', 'catalog'].map((d) => mkdir(join(dir, d), { recursive: true })));
  const world = generateWorld(options);
  const past = await JsonlWriter.create(join(dir, 'events.jsonl'));
  const future = await JsonlWriter.create(join(dir, 'future', 'events.jsonl'));
  await world.run(
    (line, isFuture) => (isFuture ? future : past).push(line),
    async () => {
      await past.ready();
      await future.ready();
    },
  );
  await Promise.all([past.close(), future.close()]);
  const truth = world.truth();
  const t = (f: string): string => join(dir, 'truth', f);
  await writeJsonl(t('users.jsonl'), truth.users());
  await writeJsonl(t('social.jsonl'), truth.social());
  await writeJsonl(t('items.jsonl'), truth.items());
  await writeJsonl(t('categories.jsonl'), truth.categories);
  // The public catalog omits hidden fields (quality, popularity) a shop would not know.
  await writeJsonl(join(dir, 'catalog', 'items.jsonl'), publicItems(truth.items()));
  await writeJsonl(join(dir, 'catalog', 'categories.jsonl'), truth.categories);
  await writeFile(t('response.json'), JSON.stringify(truth.response, null, 2));
  await writeFile(t('dirt.json'), JSON.stringify(truth.dirt, null, 2));
  await writeFile(t('summary.json'), JSON.stringify(truth.summary, null, 2));
  return truth.summary;
}

function* publicItems(rows: Iterable<Record<string, unknown>>): Generator<Record<string, unknown>> {
  for (const r of rows) {
    const { quality: _q, popularity: _p, ...rest } = r;
    yield rest;
  }
}
