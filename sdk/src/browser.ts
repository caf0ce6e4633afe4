import { createAnalytics, type Analytics } from './analytics.js';
import type { Options } from './types.js';

/**
 * The script-tag build (`/sdk/v1/huaxiang.min.js`): makes `window.analytics` (and `window.huaxiang`)
 * the tracker. Configuration comes from, in this order: Segment's snippet (`analytics.load(key, options)`
 * left `_writeKey`/`_loadOptions` on its stub), the script's `data-*` attributes, or the key in a
 * Segment-style path `/analytics.js/v1/<writeKey>/analytics.min.js`. Calls the snippet's stub queued before
 * this script arrived are replayed in order.
 */
type Stub = unknown[][] & { _writeKey?: string; _loadOptions?: Partial<Options>; load?: unknown };
type Global = Record<string, Stub | Analytics | undefined>;

const w = window as unknown as Global;
const el = document.currentScript as HTMLScriptElement | null;
const src = el?.src ?? '';
const data = el?.dataset ?? {};
/** the global Segment's snippet chose (its `globalAnalyticsKey`), `analytics` by default */
const name = data.globalSegmentAnalyticsKey ?? 'analytics';
const stub = [w[name], w.huaxiang].find((s): s is Stub => Array.isArray(s));
/** analytics.js 5.x snippets append the page as it was at call time: `{ __t: 'bpc', … }` */
const isPageContext = (v: unknown) => typeof v === 'object' && v !== null && (v as { __t?: unknown }).__t === 'bpc';
const fromPath = /\/analytics\.js\/v1\/([^/]+)\//.exec(src)?.[1];

function start(writeKey: string, options: Partial<Options> = {}): Analytics {
  const a = createAnalytics({
    apiHost: data.apiHost ?? (src ? new URL(src).origin : undefined),
    autoPage: data.autoPage === 'true',
    requireConsent: data.requireConsent === 'true',
    ...options,
    writeKey,
  });
  // the snippet's stub methods forward to window[name] once it says `initialized`; its `initialize` check
  // keeps a second snippet from replacing us
  Object.assign(a, { initialized: true, initialize() {}, load() {} });
  w[name] = w.huaxiang = a;
  for (const [method, ...args] of stub ?? []) {
    const f = (a as unknown as Record<string, unknown>)[method as string];
    // unknown snippet methods (trackLink, addSourceMiddleware …) are skipped
    if (typeof f === 'function') f.apply(a, args.filter((v) => !isPageContext(v)));
  }
  return a;
}

const key = stub?._writeKey ?? data.writeKey ?? (fromPath && decodeURIComponent(fromPath));
if (key) start(key, stub?._loadOptions);
else {
  // no key yet: keep (or make) a stub until huaxiang.load(key, options) is called
  const s: Stub = stub ?? [];
  const methods = ['track', 'identify', 'page', 'screen', 'alias', 'group', 'reset', 'ready'];
  for (const m of methods) (s as unknown as Record<string, unknown>)[m] ??= (...args: unknown[]) => void s.push([m, ...args]);
  s.load = (k: string, opt?: Partial<Options>) => start(k, opt);
  w[name] = w.huaxiang = s;
}
