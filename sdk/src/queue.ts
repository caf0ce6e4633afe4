import { getItem, setItem } from './store.js';
import type { Message } from './types.js';

/** A queued message and the consent purpose it was collected for. */
export interface Item {
  m: Message;
  p: string;
}

export interface QueueConfig {
  url: string;
  writeKey: string;
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

const MAX_BATCH = 100;
const MAX_BYTES = 400_000; // under the server's 500 KB batch limit
const BEACON_BYTES = 60_000; // browsers refuse beacons past 64 KB in flight

/**
 * The outgoing queue: in memory, mirrored to localStorage so a closed tab or an offline period loses
 * nothing. Batches go to /v1/batch with the write key as HTTP Basic user; network errors, 429 and 5xx are
 * retried with exponential backoff (jittered, capped); other 4xx are final (the server keeps what it
 * rejects in its dead letters). The same messageIds are sent on every retry, so the server stores each once.
 */
export function createQueue(c: QueueConfig) {
  let items: Item[] = [];
  const gone = new Set<string>(); // sent or dropped here: never written back from storage
  let timer: ReturnType<typeof setTimeout> | undefined;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let current: Promise<void> | undefined;
  let attempt = 0;

  const stored = (): Item[] => {
    try {
      const v: unknown = JSON.parse(getItem(c.storageKey) ?? '[]');
      return Array.isArray(v) ? (v as Item[]) : [];
    } catch {
      return [];
    }
  };

  /** Writes the queue, keeping what other tabs of this site stored meanwhile (they share the key). */
  const save = () => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    if (!c.persist()) return setItem(c.storageKey, null);
    const mine = new Set(items.map((i) => i.m.messageId));
    const others = stored().filter((i) => !mine.has(i.m.messageId) && !gone.has(i.m.messageId));
    const all = others.concat(items).slice(-c.maxQueue);
    setItem(c.storageKey, all.length ? JSON.stringify(all) : null);
  };
  const saveSoon = () => {
    saveTimer ??= setTimeout(save, 0);
  };

  const schedule = (ms: number) => {
    if (timer === undefined) timer = setTimeout(() => ((timer = undefined), run()), ms);
  };

  const remove = (ids: string[]) => {
    const set = new Set(ids);
    ids.forEach((id) => gone.add(id));
    items = items.filter((i) => !set.has(i.m.messageId));
    saveSoon();
    c.done(ids);
  };

  /** Drops what may not be sent any more (consent withdrawn); returns what may. */
  const sendable = (): Item[] => {
    const denied = items.filter((i) => !c.allowed(i.p)).map((i) => i.m.messageId);
    if (denied.length) remove(denied);
    return items;
  };

  /** Up to `max` bytes of messages, each stamped with sentAt. */
  const take = (from: Item[], max: number, count: number) => {
    const batch: Message[] = [];
    let bytes = 40;
    const sentAt = new Date().toISOString();
    for (const i of from) {
      const m = { ...i.m, sentAt };
      const size = JSON.stringify(m).length + 1;
      if (batch.length && (bytes + size > max || batch.length >= count)) break;
      batch.push(m);
      bytes += size;
    }
    return { batch, sentAt };
  };

  /** One sender at a time; a second caller waits for the same run. */
  const run = (): Promise<void> => (timer !== undefined ? Promise.resolve() : (current ??= send().finally(() => (current = undefined))));

  async function send(): Promise<void> {
    for (let ready = sendable(); ready.length; ready = sendable()) {
      const { batch, sentAt } = take(ready, MAX_BYTES, MAX_BATCH);
      const body = JSON.stringify({ batch, sentAt });
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
      remove(batch.map((m) => m.messageId));
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

  /** On page hide: everything queued goes out by navigator.sendBeacon (text/plain: no preflight; key in the body). */
  const beacon = () => {
    clearTimeout(timer);
    timer = undefined;
    let ready = sendable();
    if (navigator.onLine !== false && navigator.sendBeacon) {
      while (ready.length) {
        const { batch, sentAt } = take(ready, BEACON_BYTES, MAX_BATCH);
        const body = JSON.stringify({ batch, sentAt, writeKey: c.writeKey });
        // a refused beacon (quota) leaves the rest stored for the next page
        if (!navigator.sendBeacon(c.url, new Blob([body], { type: 'text/plain' }))) break;
        remove(batch.map((m) => m.messageId));
        ready = items;
      }
    }
    save();
  };

  return {
    push(item: Item) {
      items.push(item);
      if (items.length > c.maxQueue) items.shift();
      saveSoon();
      if (items.length >= c.flushAt) void flush();
      else schedule(c.flushInterval);
    },
    flush,
    beacon,
    save,
    /** Takes over what a previous page of this site left unsent. */
    load() {
      items = stored().filter((i) => i && i.m && i.m.messageId);
      if (items.length) schedule(0);
    },
    /** Back online: retry now instead of waiting out the backoff. */
    retryNow() {
      attempt = 0;
      void flush();
    },
    /** Consent changed: drop what may no longer be sent, persist or forget the rest. */
    recheck() {
      sendable();
      save();
    },
    size: () => items.length,
  };
}
