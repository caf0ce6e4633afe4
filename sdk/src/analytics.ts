import { ecommerce, type Ecommerce } from './ecommerce.js';
import { createQueue } from './queue.js';
import { getCookie, getItem, segmentId, setCookie, setItem, uuid } from './store.js';
import type { CallOptions, Callback, Message, Options, Properties, Purpose } from './types.js';

declare const __HX_VERSION__: string;
export const VERSION = typeof __HX_VERSION__ === 'string' ? __HX_VERSION__ : '0.0.0-dev';

/** The analytics.js-compatible surface plus e-commerce helpers and consent. */
export interface Analytics extends Ecommerce {
  readonly VERSION: string;
  track(event: string, properties?: Properties, options?: CallOptions, callback?: Callback): void;
  identify(userId?: string | null, traits?: Properties, options?: CallOptions, callback?: Callback): void;
  identify(traits: Properties, options?: CallOptions, callback?: Callback): void;
  /** page(), page(name), page(category, name), each optionally followed by properties, options, callback */
  page(...args: (string | Properties | CallOptions | Callback | null | undefined)[]): void;
  screen(...args: (string | Properties | CallOptions | Callback | null | undefined)[]): void;
  alias(userId: string, previousId?: string, options?: CallOptions, callback?: Callback): void;
  group(groupId: string, traits?: Properties, options?: CallOptions, callback?: Callback): void;
  /** logout: forget the user id and traits, start a new anonymous id (consent is kept) */
  reset(): void;
  ready(callback: Callback): void;
  /** sends what is queued now; resolves when the queue is empty or a retry is scheduled */
  flush(): Promise<void>;
  setAnonymousId(id?: string): string;
  user(): { id(): string | null; anonymousId(): string; traits(): Properties };
  consent: {
    /** grant or refuse purposes, e.g. `{ marketing: true }`; queued messages of a refused purpose are dropped */
    set(choice: Record<string, boolean>): void;
    get(): Record<string, boolean>;
    granted(purpose: Purpose): boolean;
  };
  /** accepted and ignored, so analytics.js code that calls them keeps running */
  debug(on?: boolean): void;
  on(...args: unknown[]): void;
  off(...args: unknown[]): void;
  once(...args: unknown[]): void;
}

const AID = 'hx_aid';
const UID = 'hx_uid';
const TRAITS = 'hx_traits';
const CONSENT = 'hx_consent';
const SESSION = 'hx_sid';
const KNOWN: Purpose[] = ['analytics', 'personalization', 'marketing'];
/** the consent record itself is always sent: it is what proves a refusal too */
const NECESSARY = '';

type Arg = unknown;
const isObj = (v: Arg): v is Properties => typeof v === 'object' && v !== null && !Array.isArray(v);
const fnOf = (a: Arg[]) => a.find((v): v is Callback => typeof v === 'function');
const objs = (a: Arg[]) => a.filter(isObj);
const json = <T>(s: string | null, d: T): T => {
  try {
    return s ? (JSON.parse(s) as T) : d;
  } catch {
    return d;
  }
};

export function createAnalytics(o: Options): Analytics {
  // a workspace's key (hxw_shop2.…) sends to that workspace's prefix, so beacons (key in the body, no header) reach it too
  const workspace = /^hxw_([a-z][a-z0-9]{0,31})\./.exec(o.writeKey)?.[1];
  const host = (o.apiHost ?? location.origin).replace(/\/+$/, '') + (workspace ? `/w/${workspace}` : '');
  const days = o.cookieDays ?? 365;
  const sessionMs = (o.sessionMinutes ?? 30) * 60_000;
  let consent: Record<string, boolean> = { ...o.consent, ...json(getItem(CONSENT), {}) };
  const granted = (p: Purpose) => p === NECESSARY || (consent[p] ?? !o.requireConsent);
  const canStore = () => KNOWN.concat(Object.keys(consent)).some(granted);

  // ids: ours, else those Segment's analytics.js left (a migrated site keeps its visitors), else new
  let aid = getCookie(AID) ?? getItem(AID) ?? segmentId('ajs_anonymous_id') ?? uuid();
  let uid: string | null = getCookie(UID) ?? getItem(UID) ?? segmentId('ajs_user_id');
  let traits: Properties = json(getItem(TRAITS), {});
  const saved = (getItem(SESSION) ?? '').split('.');
  let sid: string | undefined = saved[0] || undefined;
  let last = Number(saved[1]) || 0;
  let savedAt = 0;

  const persist = () => {
    const on = canStore();
    setCookie(AID, on ? aid : null, days, o.cookieDomain);
    setItem(AID, on ? aid : null);
    setCookie(UID, on ? uid : null, days, o.cookieDomain);
    setItem(UID, on ? uid : null);
    setItem(TRAITS, on && Object.keys(traits).length ? JSON.stringify(traits) : null);
    setItem(SESSION, on && sid ? `${sid}.${last}` : null);
  };

  const session = (t: number) => {
    if (!sid || t - last > sessionMs) (sid = uuid()), (savedAt = 0);
    last = t;
    if (t - savedAt > 10_000 && canStore()) (savedAt = t), setItem(SESSION, `${sid}.${t}`);
    return sid;
  };

  const callbacks = new Map<string, Callback>();
  const fire = (id: string) => {
    const cb = callbacks.get(id);
    if (cb) callbacks.delete(id), cb();
  };

  const q = createQueue({
    url: host + '/v1/batch',
    writeKey: o.writeKey,
    storageKey: 'hx_queue',
    flushAt: o.flushAt ?? 20,
    flushInterval: o.flushInterval ?? 1000,
    maxQueue: o.maxQueue ?? 1000,
    retryBase: o.retryBase ?? 1000,
    retryMax: o.retryMax ?? 60_000,
    allowed: granted,
    persist: canStore,
    done: (ids) => ids.forEach(fire),
  });

  // computed once: they do not change while the page lives
  const ua = navigator.userAgent;
  const library = { name: 'huaxiang.js', version: VERSION };
  const os = { name: /Windows/.test(ua) ? 'Windows' : /iPhone|iPad|iPod/.test(ua) ? 'iOS' : /Mac OS/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android' : /Linux/.test(ua) ? 'Linux' : '' };
  const device = { type: /Mobi|Android|iPhone|iPad|iPod/.test(ua) ? 'mobile' : 'pc' };
  let timezone: string | undefined;
  try {
    timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    // no Intl
  }

  const pageProps = (): Properties => ({ path: location.pathname, referrer: document.referrer, search: location.search, title: document.title, url: location.href });

  const campaign = () => {
    if (!location.search.includes('utm_')) return undefined;
    const c: Properties = {};
    new URLSearchParams(location.search).forEach((v, k) => {
      if (k.startsWith('utm_')) c[k === 'utm_campaign' ? 'name' : k.slice(4)] = v;
    });
    return c;
  };

  function send(type: Message['type'], fields: Properties, opt: CallOptions = {}, cb?: Callback, purpose: Purpose = opt.purpose ?? 'analytics') {
    if (!granted(purpose)) {
      if (cb) setTimeout(cb, 0);
      return; // not queued, not stored: nothing of it leaves the page
    }
    const t = Date.now();
    const context: Properties = {
      library,
      page: pageProps(),
      userAgent: ua,
      locale: navigator.language,
      timezone,
      screen: { width: screen.width, height: screen.height },
      device,
      os,
      sessionId: session(t),
      consent: { categoryPreferences: { ...consent } },
      ...opt.context,
    };
    const utm = campaign();
    if (utm) context.campaign = utm;
    if (opt.traits) context.traits = opt.traits;
    const m: Message = {
      type,
      messageId: opt.messageId || uuid(),
      anonymousId: opt.anonymousId || aid,
      userId: uid,
      timestamp: opt.timestamp ? new Date(opt.timestamp).toISOString() : new Date(t).toISOString(),
      context,
      ...fields,
    };
    if (opt.integrations) m.integrations = opt.integrations;
    if (cb) {
      callbacks.set(m.messageId, cb);
      setTimeout(() => fire(m.messageId), 300); // as analytics.js: never hold a navigation longer
    }
    q.push({ m, p: purpose });
  }

  function track(event: string, ...a: Arg[]) {
    const [properties = {}, opt] = objs(a) as [Properties?, CallOptions?];
    send('track', { event, properties }, opt, fnOf(a), opt?.purpose ?? o.eventPurposes?.[event]);
  }

  function pageLike(type: 'page' | 'screen') {
    return (...a: Arg[]) => {
      const s = a.filter((v): v is string => typeof v === 'string');
      const [category, name] = s.length > 1 ? s : [undefined, s[0]];
      const [properties = {}, opt] = objs(a) as [Properties?, CallOptions?];
      const props: Properties = { ...(type === 'page' ? pageProps() : {}), ...properties };
      if (name) props.name = name;
      if (category) props.category = category;
      send(type, { name, category, properties: props }, opt, fnOf(a));
    };
  }
  const page = pageLike('page');

  const api: Analytics = {
    VERSION,
    ...ecommerce(track),
    track,
    page,
    screen: pageLike('screen'),
    identify(...a: Arg[]) {
      const first = a[0];
      const id = typeof first === 'string' || typeof first === 'number' ? String(first) : null;
      if (id !== null || first == null) a.shift();
      const [t = {}, opt] = objs(a) as [Properties?, CallOptions?];
      if (id && id !== uid) (traits = {}), (uid = id);
      traits = { ...traits, ...t };
      persist();
      send('identify', { traits: { ...traits } }, opt, fnOf(a));
    },
    alias(to: string, ...a: Arg[]) {
      const from = typeof a[0] === 'string' ? (a.shift() as string) : (uid ?? aid);
      send('alias', { userId: to, previousId: from }, objs(a)[0], fnOf(a));
    },
    group(groupId: string, ...a: Arg[]) {
      const [t = {}, opt] = objs(a) as [Properties?, CallOptions?];
      send('group', { groupId, traits: t }, opt, fnOf(a));
    },
    reset() {
      uid = null;
      traits = {};
      aid = uuid();
      sid = undefined;
      persist();
    },
    ready: (cb) => void setTimeout(cb, 0),
    flush: () => q.flush(),
    setAnonymousId(id?: string) {
      if (id) (aid = id), persist();
      return aid;
    },
    user: () => ({ id: () => uid, anonymousId: () => aid, traits: () => ({ ...traits }) }),
    consent: {
      set(choice) {
        const before = JSON.stringify(consent);
        consent = { ...consent, ...choice };
        setItem(CONSENT, JSON.stringify(consent)); // the choice itself is strictly necessary to keep
        persist();
        q.recheck();
        if (o.recordConsent !== false && JSON.stringify(consent) !== before) {
          send('identify', { traits: { consent: { ...consent } } }, {}, undefined, NECESSARY);
        }
      },
      get: () => ({ ...consent }),
      granted,
    },
    debug() {},
    on() {},
    off() {},
    once() {},
  };

  persist();
  q.load();
  addEventListener('pagehide', q.beacon);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && q.beacon());
  addEventListener('online', q.retryNow);
  if (o.autoPage) {
    let href = location.href;
    const changed = () => href !== location.href && ((href = location.href), page());
    for (const k of ['pushState', 'replaceState'] as const) {
      const orig = history[k];
      history[k] = function (this: History, ...args: Parameters<History['pushState']>) {
        orig.apply(this, args);
        changed();
      };
    }
    addEventListener('popstate', changed);
    page();
  }
  return api;
}
