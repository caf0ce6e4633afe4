import type { Importer } from './types.ts';
import { taobaoUserBehavior } from './taobao.ts';

export type { ImportContext, ImportReport, Importer, RowError } from './types.ts';

/** Every format `huaxiang import --format F` accepts. */
export const importers: Record<string, Importer> = Object.fromEntries(
  [taobaoUserBehavior].map((i) => [i.format, i]),
);
