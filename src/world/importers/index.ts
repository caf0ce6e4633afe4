import type { Importer } from './types.ts';
import { segmentJsonl } from './segmentJsonl.ts';
import { taobaoUserBehavior } from './taobao.ts';

export type { ImportContext, ImportReport, Importer, RowError } from './types.ts';

/** Every format `huaxiang import --format F` accepts. */
export const importers: Record<string, Importer> = Object.fromEntries(
  [segmentJsonl, taobaoUserBehavior].map((i) => [i.format, i]),
);
