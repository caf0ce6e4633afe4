import type { OlapStore } from '../store/olap/index.ts';
import { loadCatalog, loadInteractions } from './data.ts';
import { repeatableItems } from './filters.ts';
import { ALS, type AlsOptions } from './models/als.ts';
import { BoughtTogether } from './models/boughtTogether.ts';
import { Content } from './models/content.ts';
import { ItemCF } from './models/itemcf.ts';
import { Popular } from './models/popular.ts';
import { SessionModel } from './models/session.ts';
import { loadProfiles } from './profile.ts';
import type { Models } from './rank.ts';
import type { Catalog, Interactions, Profile } from './types.ts';

export interface TrainOptions {
  /** train on events before this moment (ms); now by default */
  asOf?: number;
  halfLifeDays?: number;
  windowDays?: number;
  als?: AlsOptions;
  /** profiles to use instead of the current tag values (evaluation): a map, or made from the training data */
  profiles?: Map<string, Profile> | ((c: Catalog, x: Interactions) => Map<string, Profile> | Promise<Map<string, Profile>>);
  log?: (step: string, seconds: number) => void;
}

export interface TrainStats {
  asOf: string;
  items: number;
  persons: number;
  interactions: number;
  profiles: number;
  boughtTogetherPairs: number;
  seconds: number;
  timings: Record<string, number>;
}

/** Reads what training needs from ClickHouse and fits every model; nothing is served until it is done. */
export async function trainModels(olap: OlapStore, o: TrainOptions = {}): Promise<{ models: Models; profiles: Map<string, Profile>; stats: TrainStats }> {
  const asOf = o.asOf ?? Date.now();
  const started = performance.now();
  const timings: Record<string, number> = {};
  const step = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    const r = await f();
    timings[name] = Math.round(performance.now() - t) / 1000;
    o.log?.(name, timings[name]!);
    return r;
  };
  const catalog = await step('catalog', () => loadCatalog(olap));
  const x = await step('interactions', () => loadInteractions(olap, catalog, { asOf, halfLifeDays: o.halfLifeDays, windowDays: o.windowDays }));
  const given = o.profiles;
  const profiles = await step('profiles', () => (typeof given === 'function' ? given(catalog, x) : given ?? loadProfiles(olap)));
  const n = catalog.ids.length;
  const itemcf = await step('itemcf', () => ItemCF.train(x, n));
  const als = await step('als', () => ALS.train(x, n, o.als));
  const content = await step('content', () => Content.train(catalog));
  const together = await step('boughtTogether', () => BoughtTogether.train(olap, catalog, { asOf }));
  const popular = await step('popular', () => Popular.train(olap, catalog, x, (p) => profiles.get(p), { asOf }));
  const session = await step('session', () => SessionModel.train(olap, catalog, { asOf }));
  const repeatable = repeatableItems(catalog, x);
  const newItems: number[] = [];
  for (let i = 0; i < catalog.ids.length; i++) {
    const l = catalog.launched[i]!;
    if (!Number.isNaN(l) && l <= asOf && asOf - l < 30 * 86_400_000) newItems.push(i);
  }
  const models: Models = { catalog, x, itemcf, als, content, together, popular, session, repeatable, newItems, asOf };
  return {
    models,
    profiles,
    stats: {
      asOf: new Date(asOf).toISOString(), items: catalog.ids.length, persons: x.persons.length, interactions: x.item.length,
      profiles: profiles.size, boughtTogetherPairs: together.pairs, seconds: Math.round(performance.now() - started) / 1000, timings,
    },
  };
}
