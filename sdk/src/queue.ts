import { getItem, keys, setItem, uuid } from './store.js';
import type { Message } from './types.js';

/** A queued message and the consent purpose it was collected for. */
export interface Item {
  m: Message;
  p: string;
}

export interface QueueConfig {
  url: string;
  writeKey: string;
  /** localStorage key prefix; each page keeps its own `<prefix>.<id>`, a later page adopts what is left */
  storageKey: string;
  flushAt: number;
  flushInterval: number;
  maxQueue: number;
  retryBase: number;
  retryMax: number;
  /** whether the message's purpose is granted now: checked again right before sending */
  allowed(p: string): boolean;
  /** whether anything may be written to the device (some purpose granted) */
  persist(): boolean;
  /** called with the messageIds a request carried, once it succeeded or was refused for good */
  done(ids: string[]): void;
}

const MAX_BATCH = 250;
const MAX_BYTES = 400_000; // under the server's 500 KB batch limit
const BEACON_BYTES = 60_000; // browsers refuse beacons (and keepalive fetches) past 64 KB in flight
const SAVE_DELAY = 300; // ms: many calls in a burst cost one write; page hide writes at once

/**
 * The outgoing queue: in memory, mirrored to localStorage so a closed tab or an offline period loses
 * nothing. Batches go to /v1/batch with the write key as HTTP Basic user; network errors, 429 and 5xx are
 * retried with exponential backoff (jittered, capped); other 4xx are final (the server keeps what it
 * rejects in its dead letters). The same messageIds are sent on every retry, so the server stores each once.
 */
export function createQueue(c: QueueConfig) {
  let items: Item[] = [];
  const own = `${c.storageKey}.${uuid().slice(0, 8)}.`;
  const json = new WeakMap<Item, string>(); // each message is serialised once: for storage and every send
  const str = (i: Item) => {
    let s = json.get(i);
    if (s === undefined) json.set(i, (s = JSON.stringify(i.m)));
    return s;
  };
  // localStorage holds one entry per message (`<prefix>.<page>.<messageId>`), so that a write costs one
  // message, not the whole queue; entries are written and removed in bursts
  let added: Item[] = [];
  let removed: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let current: Promise<void> | undefined;
  let attempt = 0;

  const save = () => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    if (!c.persist()) keys(c.storageKey).forEach((k) => setItem(k, null)); // nothing kept, not even other pages'
    else {
      // a message sent before its first write is never written (nor removed)
      const gone = new Set(removed);
      const fresh = new Set(added.map((i) => i.m.messageId));
      for (const i of added) if (!gone.has(i.m.messageId)) setItem(own + i.m.messageId, `[${JSON.stringify(i.p)},${str(i)}]`);
      for (const id of removed) if (!fresh.has(id)) setItem(own + id, null);
    }
    added = [];
    removed = [];
  };
  const saveSoon = () => {
    saveTimer ??= setTimeout(save, SAVE_DELAY);
  };

  const schedule = (ms: number) => {
    if (timer === undefined) timer = setTimeout(() => ((timer = undefined), run()), ms);
  };

  const remove = (ids: string[]) => {
    const set = new Set(ids);
    items = items.filter((i) => !set.has(i.m.messageId));
    removed.push(...ids);
    saveSoon();
    c.done(ids);
  };

  /** Drops what may not be sent any more (consent withdrawn); returns what may. */
  const sendable = (): Item[] => {
    const denied = items.filter((i) => !c.allowed(i.p)).map((i) => i.m.messageId);
    if (denied.length) remove(denied);
    return items;
  };

  /** A batch body of up to `max` bytes; the key goes in the body only for beacons, which cannot set headers. */
  const take = (from: Item[], max: number, beacon?: boolean) => {
    const parts: string[] = [];
    const ids: string[] = [];
    let bytes = 200;
    for (const i of from) {
      const s = str(i);
      if (parts.length && (bytes + s.length + 1 > max || parts.length >= MAX_BATCH)) break;
      parts.push(s);
      ids.push(i.m.messageId);
      bytes += s.length + 1;
    }
    const key = beacon ? `,"writeKey":${JSON.stringify(c.writeKey)}` : '';
    return { ids, body: `{"batch":[${parts.join(',')}],"sentAt":"${new Date().toISOString()}"${key}}` };
  };

  /** One sender at a time; a second caller waits for the same run. */
  const run = (): Promise<void> => (timer !== undefined ? Promise.resolve() : (current ??= send().finally(() => (current = undefined))));

  async function send(): Promise<void> {
    for (let ready = sendable(); ready.length; ready = sendable()) {
      const { ids, body } = take(ready, MAX_BYTES);
      let retry = false;
      try {
        const res = await fetch(c.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: 'Basic ' + btoa(c.writeKey + ':') },
          body,
          keepalive: body.length < BEACON_BYTES,
        });
        retry = res.status === 429 || res.status >= 500;
      } catch {
        retry = true; // offline, DNS, CORS, connection reset
      }
      if (retry) {
        attempt++;
        schedule(Math.min(c.retryMax, c.retryBase * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
        return;
      }
      attempt = 0;
      remove(ids);
    }
  }

  /** Sends now, unless a retry is waiting out its backoff. */
  const flush = () => {
    if (!attempt) {
      clearTimeout(timer);
      timer = undefined;
    }
    return run();
  };

  /** On page hide: everything queued goes out by navigator.sendBeacon (text/plain: no preflight). */
  const beacon = () => {
    clearTimeout(timer);
    timer = undefined;
    let ready = sendable();
    if (navigator.onLine !== false && navigator.sendBeacon) {
      while (ready.length) {
        const { ids, body } = take(ready, BEACON_BYTES, true);
        // a refused beacon (quota) leaves the rest stored for the next page
        if (!navigator.sendBeacon(c.url, new Blob([body], { type: 'text/plain' }))) break;
        remove(ids);
        ready = items;
      }
    }
    save();
  };

  return {
    push(item: Item) {
      items.push(item);
      added.push(item);
      if (items.length > c.maxQueue) removed.push(items.shift()!.m.messageId);
      saveSoon();
      // a full batch goes out on the next tick, not inside the caller's track()
      if (items.length >= c.flushAt && !attempt) {
        clearTimeout(timer);
        timer = undefined;
        schedule(0);
      } else schedule(c.flushInterval);
    },
    flush,
    beacon,
    /** Takes over what earlier pages of this site left unsent (their entries move to this page's). */
    load() {
      const found: Item[] = [];
      for (const k of keys(c.storageKey)) {
        try {
          const [p, m] = JSON.parse(getItem(k) ?? 'null') as [string, Message];
          if (m && m.messageId) found.push({ p, m });
        } catch {
          // a damaged entry is dropped
        }
        setItem(k, null);
      }
      found.sort((a, b) => (a.m.timestamp < b.m.timestamp ? -1 : 1));
      items = found.concat(items);
      added = added.concat(found);
      if (items.length) save(), schedule(0);
    },
    /** Back online: retry now instead of waiting out the backoff. */
    retryNow() {
      attempt = 0;
      void flush();
    },
    /** Consent changed: drop what may no longer be sent, persist or forget the rest. */
    recheck() {
      sendable();
      added = items.slice(); // (re)write what may now be kept
      save();
    },
    size: () => items.length,
  };
}
