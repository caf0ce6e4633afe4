import type { Importer } from './types.ts';
import { instacart } from './instacart.ts';
import { itemsJsonl } from './itemsJsonl.ts';
import { segmentJsonl } from './segmentJsonl.ts';
import { onlineRetail } from './onlineRetail.ts';
import { retailrocket } from './retailrocket.ts';
import { taobaoUserBehavior } from './taobao.ts';
import { genericCsv } from './csv.ts';
import { traitsCsv } from './traitsCsv.ts';

export type { ImportContext, ImportReport, Importer, RowError } from './types.ts';
export { ImportInputError } from './types.ts';

/** Every format `huaxiang import --format F` accepts. */
export const importers: Record<string, Importer> = Object.fromEntries(
  [segmentJsonl, itemsJsonl, taobaoUserBehavior, retailrocket, onlineRetail, instacart, genericCsv, traitsCsv].map((i) => [i.format, i]),
);
