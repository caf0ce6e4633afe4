// Deliberate dirt, so the product's cleaning is exercised against a known answer. It is applied at
// output time from its own random stream: the clean world is identical whatever the dirt rate.
//   duplicate        — the same line re-sent (same messageId), as a retrying SDK does
//   clockSkew        — sentAt minutes away from timestamp (a device with a wrong clock)
//   revenueNotNumber / missingIds / productsNotArray — an extra malformed copy of a real message
//                      with a fresh messageId; dropping malformed rows leaves the clean world.

import { iso, unwire, wire } from './encode.ts';
import { MINUTE } from './calendar.ts';
import { Rng } from './random.ts';

export interface DirtCounts {
  duplicate: number;
  clockSkew: number;
  revenueNotNumber: number;
  missingIds: number;
  productsNotArray: number;
  /** Message ids affected, a few per kind, to help debugging a cleaner. */
  examples: Record<string, string[]>;
}

export function emptyDirt(): DirtCounts {
  return { duplicate: 0, clockSkew: 0, revenueNotNumber: 0, missingIds: 0, productsNotArray: 0, examples: {} };
}

function note(c: DirtCounts, kind: keyof Omit<DirtCounts, 'examples'>, id: string): void {
  c[kind]++;
  const list = (c.examples[kind] ??= []);
  if (list.length < 5) list.push(id);
}

function messageIdOf(line: string): string {
  const i = line.indexOf('"messageId":"') + 13;
  return line.slice(i, line.indexOf('"', i));
}

export class Dirt {
  private readonly rng: Rng;
  private extra = 0;

  constructor(readonly rate: number, seed: number | string, private readonly midPrefix: string) {
    this.rng = new Rng(seed, 'dirt');
  }

  /**
   * Write `line` (possibly altered) and any dirt it spawns to `out`, counting into `c`. Orders are
   * rare, so they get their own, higher chance of a revenue "abc" copy — otherwise that case would
   * almost never appear in a small world.
   */
  apply(t: number, line: string, isOrder: boolean, c: DirtCounts, out: (line: string) => void): void {
    if (this.rate <= 0) {
      out(line);
      return;
    }
    if (isOrder && this.rng.next() < Math.min(1, this.rate * 8)) {
      out(line);
      this.malformed(line, 'revenueNotNumber', c, out);
      return;
    }
    if (this.rng.next() >= this.rate) {
      out(line);
      return;
    }
    const x = this.rng.next();
    if (x < 0.45) {
      out(line);
      out(line);
      note(c, 'duplicate', messageIdOf(line));
    } else if (x < 0.75) {
      const i = line.indexOf('"sentAt":"') + 10;
      const skew = (this.rng.chance(0.5) ? 1 : -1) * (3 + this.rng.int(40)) * MINUTE + this.rng.int(60_000);
      out(line.slice(0, i) + iso(t + skew) + line.slice(i + 24));
      note(c, 'clockSkew', messageIdOf(line));
    } else {
      out(line);
      this.malformed(line, x < 0.85 ? 'productsNotArray' : 'missingIds', c, out);
    }
  }

  private malformed(line: string, want: 'revenueNotNumber' | 'productsNotArray' | 'missingIds', c: DirtCounts, out: (line: string) => void): void {
    const msg = JSON.parse(unwire(line)) as Record<string, unknown> & { properties?: Record<string, unknown> };
    const id = `${this.midPrefix}x${this.extra++}`;
    msg.messageId = id;
    const props = msg.properties;
    if (want === 'revenueNotNumber' && props && typeof props.revenue === 'number') {
      props.revenue = 'abc';
      note(c, 'revenueNotNumber', id);
    } else if (want === 'productsNotArray' && props && Array.isArray(props.products)) {
      props.products = (props.products as { product_id: string }[]).map((p) => p.product_id).join(',');
      note(c, 'productsNotArray', id);
    } else {
      delete msg.anonymousId;
      delete msg.userId;
      delete msg.previousId;
      note(c, 'missingIds', id);
    }
    out(wire(JSON.stringify(msg)));
  }
}
