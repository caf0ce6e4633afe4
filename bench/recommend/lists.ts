/**
 * The lists the engine serves, written out for a before/after comparison of serving changes that must not
 * change an answer: trains every model on a data dir as of a fixed moment, then asks for a sample of people
 * (bench/recommend/people.ts) several kinds of request — home (twice, the second answered from the kept
 * list), home in English with other knobs, email, product and cart scenes, each model alone (experiment
 * arms), similar and bought-together for an item the person touched — and prints one JSON line per answer
 * (the recommendation id left out: it is new on every answer).
 *
 *   node bin/run-ts.js bench/recommend/lists.ts --data COPY --as-of ISO [--people 300] > lists.jsonl
 *   # after the change, same command to another file; then: cmp before.jsonl after.jsonl
 *
 * Opens the data dir itself (no server may hold it): use a copy, never a shared world.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { testConfig } from '../../src/config.ts';
import { openRuntime } from '../../src/runtime.ts';
import type { RecommendRequest } from '../../src/recommend/engine.ts';
import { repoRoot, runTs } from '../lib/proc.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, 'as-of': { type: 'string' }, people: { type: 'string' } } });
if (!values.data || !values['as-of']) throw new Error('--data DIR and --as-of ISO are required');
const people = JSON.parse(await runTs(path.join(repoRoot, 'bench/recommend/people.ts'), ['--data', values.data, '--n', String(values.people ?? 300)])) as string[];
const rt = await openRuntime(testConfig({ dataDir: values.data, logLevel: 'warn' }), { command: 'bench' });
const out: string[] = [];
const write = (what: string, who: string, r: { recommendationId: string }) => {
  const { recommendationId: _, ...rest } = r;
  out.push(JSON.stringify({ what, who, ...rest }));
};
try {
  await rt.tags.live.stop();
  await rt.recommend.train({ trigger: 'bench', asOf: new Date(values['as-of']) });
  const engine = rt.recommend;
  const m = engine.models!;
  const kinds: [string, RecommendRequest][] = [
    ['home', {}],
    ['home-again', {}],
    ['home-en', { lang: 'en', limit: 30, diversity: 0.4, explore: 0.2, maxPerCategory: 3 }],
    ['home-exclude', { exclude: [m.catalog.top[0] ?? 'x'] }],
    ['email', { scene: 'email', limit: 10 }],
    ['popularity', { strategy: 'popularity' }],
    ['item-cf', { strategy: 'item-cf' }],
    ['als', { strategy: 'als' }],
  ];
  for (const who of people) {
    for (const [what, req] of kinds) write(what, who, await engine.forUser(who, req));
    const st = await engine.userState(who);
    const item = st.history[0]?.item ?? m.popular.global[0]!.item;
    const id = m.catalog.ids[item]!;
    write('product', who, await engine.forUser(who, { scene: 'product', itemIds: [id] }));
    write('cart', who, await engine.forUser(who, { scene: 'cart', itemIds: st.history.slice(0, 3).map((h) => m.catalog.ids[h.item]!).concat(st.history.length ? [] : [id]) }));
    write('similar', who, await engine.similar(id, { userId: who }));
    write('together', who, await engine.boughtTogether(id, { userId: who }));
  }
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await rt.close();
}
