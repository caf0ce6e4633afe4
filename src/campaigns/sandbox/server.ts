import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { signature } from '../../segments/webhooks.ts';
import type { OfferChannel } from '../../world/response.ts';
import { simulate, type ArmTruth, type Delivery, type SimAssignment } from './model.ts';
import type { SandboxWorld } from './world.ts';

/**
 * The strategy sandbox (docs/sandbox.md): a simulated audience. It receives a campaign's deliveries as
 * the product's signed webhook channel posts them (the rendered message with `meta.campaignId/arm` and
 * its coupon), and when the campaign is settled — on request, or after it has been quiet for a while —
 * it reads who the campaign assigned (control included) from the product's API and sends back through
 * the ingestion API (`/v1/batch`, write key) the orders the world's hidden response model implies.
 * It reports the run's true effect beside them, for comparing with what the product measures.
 */
export interface SandboxOptions {
  world: SandboxWorld;
  /** the product's base URL */
  target: string;
  writeKey: string;
  /** an API token with the marketer role (reads the assignments) */
  token: string;
  seed: string;
  /** the webhook channel's signing secret (HX_WEBHOOK_SECRET); unsigned deliveries are refused when set */
  secret?: string;
  seenAs?: OfferChannel;
  hour?: number;
  /** settle a campaign by itself after this long without a delivery (0 = only on request) */
  settleAfterMs?: number;
  now?: () => number;
  log?: Logger;
}

export interface SettleReport {
  campaignId: string;
  seed: string;
  category: string;
  /** per arm: people, delivered, converted, and the true CVR and uplift of the run */
  arms: ArmTruth[];
  unknown: number;
  /** orders sent to the product */
  events: number;
  settledAt: string;
}

const deliveryBody = z.object({
  id: z.string().min(1).max(500),
  channel: z.string().max(40),
  userId: z.string().min(1).max(256),
  coupon: z.object({ code: z.string().max(200), value: z.number().nonnegative(), category: z.string().max(200).optional() }).optional(),
  meta: z.object({ campaignId: z.string().max(200).nullable(), arm: z.string().max(100) }),
});

const assignmentPage = z.object({
  goal: z.object({ event: z.string(), windowDays: z.number(), category: z.string().optional() }),
  assignments: z.array(z.object({ userId: z.string(), personId: z.string(), arm: z.string(), assignedAt: z.string() })),
  next: z.string().nullable(),
});

const BATCH = 300;

export class Sandbox {
  private readonly deliveries = new Map<string, Map<string, Delivery>>();
  private readonly reports = new Map<string, SettleReport>();
  private readonly settling = new Map<string, Promise<SettleReport>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly now: () => number;
  private product: { target: string; writeKey: string; token: string };

  constructor(readonly o: SandboxOptions) {
    this.now = o.now ?? Date.now;
    this.product = { target: o.target, writeKey: o.writeKey, token: o.token };
  }

  /** Points the sandbox at a product started after it (whose webhook channel needed the sandbox's URL first). */
  connect(product: { target: string; writeKey: string; token: string }): void {
    this.product = { ...product };
  }

  /** Verifies (when a secret is set) and records one delivery; journey messages are acknowledged and ignored. */
  receive(raw: string, headers: Record<string, string | string[] | undefined>): { status: number; body: unknown } {
    if (this.o.secret) {
      const ts = String(headers['x-huaxiang-timestamp'] ?? '');
      const got = Buffer.from(String(headers['x-huaxiang-signature'] ?? ''));
      const want = Buffer.from(signature(this.o.secret, ts, raw));
      if (got.length !== want.length || !timingSafeEqual(got, want)) return { status: 401, body: { error: 'bad signature' } };
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return { status: 400, body: { error: 'body is not JSON' } };
    }
    const p = deliveryBody.safeParse(json);
    if (!p.success) return { status: 400, body: { error: p.error.issues.map((i) => `body.${i.path.join('.')}: ${i.message}`).join('; ') } };
    const m = p.data;
    if (!m.meta.campaignId) return { status: 200, body: { ok: true, ignored: 'not a campaign message' } };
    const id = m.meta.campaignId;
    const byUser = this.deliveries.get(id) ?? this.deliveries.set(id, new Map()).get(id)!;
    if (!byUser.has(m.userId)) byUser.set(m.userId, { messageId: m.id, userId: m.userId, arm: m.meta.arm, channel: m.channel, coupon: m.coupon });
    if (this.o.settleAfterMs) {
      clearTimeout(this.timers.get(id));
      const timer = setTimeout(() => {
        this.timers.delete(id);
        void this.settle(id).catch((err) => this.o.log?.warn({ err, campaign: id }, 'sandbox settle failed'));
      }, this.o.settleAfterMs);
      timer.unref();
      this.timers.set(id, timer);
    }
    return { status: 200, body: { ok: true } };
  }

  delivered(campaignId: string): number {
    return this.deliveries.get(campaignId)?.size ?? 0;
  }

  report(campaignId: string): SettleReport | null {
    return this.reports.get(campaignId) ?? null;
  }

  /**
   * Simulates the campaign's audience and sends the orders; once per campaign (later calls return the
   * report). `seed` overrides the sandbox's seed for this campaign.
   */
  settle(campaignId: string, opts: { seed?: string } = {}): Promise<SettleReport> {
    const done = this.reports.get(campaignId);
    if (done) return Promise.resolve(done);
    let p = this.settling.get(campaignId);
    if (!p) {
      p = this.run(campaignId, opts.seed ?? this.o.seed).finally(() => this.settling.delete(campaignId));
      this.settling.set(campaignId, p);
    }
    return p;
  }

  private async run(campaignId: string, seed: string): Promise<SettleReport> {
    const { goal, assignments } = await this.assignments(campaignId);
    const sim = simulate({
      seed, campaignId, goal, assignments, deliveries: this.deliveries.get(campaignId) ?? new Map(),
      world: this.o.world, seenAs: this.o.seenAs, hour: this.o.hour, now: this.now(),
    });
    for (let i = 0; i < sim.events.length; i += BATCH) await this.send(sim.events.slice(i, i + BATCH));
    const report: SettleReport = {
      campaignId, seed, category: sim.category, arms: sim.arms, unknown: sim.unknown, events: sim.events.length, settledAt: new Date(this.now()).toISOString(),
    };
    this.reports.set(campaignId, report);
    this.o.log?.info({ campaign: campaignId, events: report.events, arms: report.arms }, 'sandbox settled a campaign');
    return report;
  }

  private async assignments(campaignId: string): Promise<{ goal: z.infer<typeof assignmentPage>['goal']; assignments: SimAssignment[] }> {
    const out: SimAssignment[] = [];
    let after = '';
    let goal: z.infer<typeof assignmentPage>['goal'] | null = null;
    for (;;) {
      const url = `${this.product.target}/api/v1/campaigns/${encodeURIComponent(campaignId)}/assignments?limit=100000${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${this.product.token}` } });
      if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
      const page = assignmentPage.parse(await res.json());
      goal = page.goal;
      out.push(...page.assignments);
      if (!page.next) break;
      after = page.next;
    }
    return { goal: goal!, assignments: out };
  }

  private async send(batch: Record<string, unknown>[]): Promise<void> {
    const auth = `Basic ${Buffer.from(`${this.product.writeKey}:`).toString('base64')}`;
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${this.product.target}/v1/batch`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
      });
      if (res.ok) return;
      const text = await res.text();
      if ((res.status === 429 || res.status === 503) && attempt < 8) {
        const wait = Number(res.headers.get('retry-after') ?? 1) * 1000;
        await new Promise((r) => setTimeout(r, Math.min(30_000, wait * 2 ** Math.min(attempt, 3))));
        continue;
      }
      throw new Error(`POST /v1/batch: ${res.status} ${text}`);
    }
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

/** The sandbox's HTTP face: POST /deliveries (the webhook channel's URL), POST /campaigns/:id/settle, GET /campaigns/:id. */
export function sandboxApp(sb: Sandbox): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const params = z.object({ id: z.string().min(1).max(200) });
  app.get('/health', async () => ({ ok: true, shoppers: sb.o.world.shoppers.length, seed: sb.o.seed }));
  app.post('/deliveries', async (req, reply) => {
    const r = sb.receive(typeof req.body === 'string' ? req.body : '', req.headers);
    return reply.status(r.status).send(r.body);
  });
  const settleBody = z.object({ seed: z.string().min(1).max(200).optional() });
  app.post('/campaigns/:id/settle', async (req, reply) => {
    const p = params.safeParse(req.params);
    if (!p.success) return reply.status(400).send({ error: 'path.id: required' });
    let body: unknown = {};
    try {
      body = typeof req.body === 'string' && req.body.trim() ? JSON.parse(req.body) : {};
    } catch {
      return reply.status(400).send({ error: 'body is not JSON' });
    }
    const b = settleBody.safeParse(body);
    if (!b.success) return reply.status(400).send({ error: b.error.issues.map((i) => `body.${i.path.join('.')}: ${i.message}`).join('; ') });
    try {
      return await sb.settle(p.data.id, b.data);
    } catch (err) {
      return reply.status(502).send({ error: (err as Error).message });
    }
  });
  app.get('/campaigns/:id', async (req, reply) => {
    const p = params.safeParse(req.params);
    if (!p.success) return reply.status(400).send({ error: 'path.id: required' });
    const r = sb.report(p.data.id);
    return r ?? reply.status(404).send({ error: `campaign '${p.data.id}' is not settled (${sb.delivered(p.data.id)} deliveries so far)` });
  });
  return app;
}

export interface RunningSandbox {
  url: string;
  /** the URL to give the webhook channel (HX_WEBHOOK_URL) */
  deliveriesUrl: string;
  sandbox: Sandbox;
  close(): Promise<void>;
}

export async function startSandbox(o: SandboxOptions & { port?: number; host?: string }): Promise<RunningSandbox> {
  const sandbox = new Sandbox(o);
  const app = sandboxApp(sandbox);
  await app.listen({ port: o.port ?? 0, host: o.host ?? '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${o.host ?? '127.0.0.1'}:${port}`;
  return {
    url, deliveriesUrl: `${url}/deliveries`, sandbox,
    close: async () => {
      sandbox.close();
      await app.close();
    },
  };
}
