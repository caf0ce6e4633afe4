import assert from 'node:assert/strict';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { EmailChannel } from '../../src/campaigns/channels/index.ts';
import type { RenderedMessage } from '../../src/campaigns/types.ts';
import { configSchema, testConfig } from '../../src/config.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { buildApp } from '../../src/server/app.ts';
import { eventually } from '../support/server.ts';
import { msg, send } from '../support/scenario.ts';

/**
 * Email end to end: a real SMTP server (smtp-server) started here receives what the delivery pipeline
 * (rt.campaigns.enqueue + deliverNow) sends through nodemailer; the message is parsed (mailparser) and
 * checked — subject and body with the person's trait, tracked links, the open pixel, RFC 8058 headers.
 * Then the open pixel and the click redirect are fetched over real HTTP and recorded (message row and
 * events), the unsubscribe link is followed, and the next send to that person is suppressed.
 */

interface Received {
  from: string;
  to: string[];
  raw: Buffer;
  mail: ParsedMail;
}

const received: Received[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onRcptTo(address, _session, cb) {
    // mailboxes that answer as real servers do: 550 does not exist, 451 try later
    if (address.address.startsWith('nobody@')) return cb(Object.assign(new Error('5.1.1 mailbox does not exist'), { responseCode: 550 }));
    if (address.address.startsWith('busy@')) return cb(Object.assign(new Error('4.7.1 try again later'), { responseCode: 451 }));
    cb();
  },
  onData(stream, session, cb) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks);
      void simpleParser(raw).then((mail) => {
        received.push({ from: (session.envelope.mailFrom || { address: '' }).address, to: session.envelope.rcptTo.map((r) => r.address), raw, mail });
        cb();
      }, cb);
    });
  },
});

let rt: Runtime;
let app: FastifyInstance;
let base = '';
let smtpPort = 0;
let dir = '';
let personId = '';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

before(async () => {
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  // the server's public URL must be known before the runtime opens: tracked links point at it
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-email-'));
  rt = await openRuntime(testConfig({
    dataDir: dir, logLevel: 'silent',
    channels: configSchema.shape.channels.parse({ publicUrl: base, email: { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: '画像商城 <shop@example.com>' } }),
    // no quiet hours and no caps: this suite is about the channel, not the guard rails
    campaigns: configSchema.shape.campaigns.parse({ quietHours: 'off', capPerChannel: 0, capAll: 0 }),
  }), { command: 'test' });
  app = (await buildApp(rt)).app;
  await app.listen({ port, host: '127.0.0.1' });
  await send(rt, [msg.identify('u-ming', Date.now() - 60_000, { firstName: '小明', email: 'xiaoming@example.com', locale: 'zh-CN', consent: { marketing: true } })]);
  personId = await rt.identity.personOf('u-ming');
});
after(async () => {
  await app?.close();
  await rt?.close();
  await new Promise<void>((r) => smtp.close(() => r()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const landing = 'https://shop.example.com/sale?from=email&id=42';
const content = {
  subject: { 'zh-CN': '{{traits.firstName}}，周末特惠', en: '{{traits.firstName}}, weekend sale' },
  body: { 'zh-CN': '<p>{{traits.firstName}}您好！</p><p><a href="{{url}}">立即查看</a></p>', en: '<p>Hi {{traits.firstName}}</p>' },
  url: landing,
};
/** a one-off email campaign to u-ming, no holdout, started now: its run queues the message */
async function runCampaign(id: string): Promise<string> {
  await rt.campaigns.store.create({
    id, name: `周末特惠 ${id}`, owner: 'test', channel: 'email', audience: { kind: 'list', userIds: ['u-ming'] },
    variants: [{ name: 'A', weight: 1, content }], experiment: { holdout: 0 },
  }, { actor: 'test', role: 'marketer' });
  const run = await rt.campaigns.startRun(id, { actor: 'test' });
  assert.equal(run.queued, 1);
  const [m] = await rt.oltp.query<{ id: string }>('SELECT id FROM campaign_messages WHERE campaign_id = $1', [id]);
  return m!.id;
}
const row = async (id: string) =>
  (await rt.oltp.query<{ status: string; reason: string | null; opened_at: Date | string | null; clicked_at: Date | string | null }>(
    'SELECT status, reason, opened_at, clicked_at FROM campaign_messages WHERE id = $1', [id]))[0]!;
const header = (r: Received, name: string) => r.mail.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '').replace(/\r?\n\s+/g, ' ');
const tokenIn = (s: string, kind: 't/c' | 't/o' | 'u') => {
  const m = new RegExp(`${base.replace(/[.]/g, '\\.')}/${kind}/([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)`).exec(s);
  assert.ok(m, `no /${kind}/ link in ${s}`);
  return m[0];
};

describe('email through a real SMTP server', () => {
  let mail: Received;
  let first = '';

  it('delivers the rendered message: subject and body with the trait, tracked link, pixel, List-Unsubscribe', async () => {
    first = await runCampaign('cmp-mail');
    assert.equal(await rt.campaigns.deliverNow(), 1);
    await eventually(async () => received.length === 1, 5000);
    mail = received[0]!;
    assert.deepEqual(mail.to, ['xiaoming@example.com']);
    assert.equal(mail.from, 'shop@example.com');
    assert.equal(mail.mail.subject, '小明，周末特惠');
    assert.equal(mail.mail.from?.value[0]?.name, '画像商城');
    const html = String(mail.mail.html);
    assert.ok(html.includes('<p>小明您好！</p>'), html);
    assert.ok(mail.mail.text?.includes('小明您好！'), mail.mail.text);
    // the landing link is tracked in both parts, and the raw target appears nowhere
    const click = tokenIn(html, 't/c');
    assert.ok(html.includes(`<a href="${click}">立即查看</a>`), html);
    assert.ok(mail.mail.text?.includes(click), mail.mail.text);
    assert.ok(!mail.raw.toString('utf8').includes('shop.example.com/sale'));
    assert.ok(/<img src="[^"]+\/t\/o\/[^"]+" width="1" height="1"/.test(html), html);
    // RFC 8058 one-click unsubscribe
    const unsubscribe = tokenIn(html, 'u');
    assert.equal(header(mail, 'list-unsubscribe'), `<${unsubscribe}>`);
    assert.equal(header(mail, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    assert.equal(header(mail, 'x-huaxiang-message'), first);
    assert.equal((await row(first)).status, 'sent');
  });

  it('the open pixel records the first open and answers a GIF; later opens change nothing', async () => {
    const pixel = tokenIn(String(mail.mail.html), 't/o');
    const res = await fetch(pixel);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/gif');
    const gif = Buffer.from(await res.arrayBuffer());
    assert.equal(gif.subarray(0, 6).toString('latin1'), 'GIF89a');
    const opened = (await row(first)).opened_at;
    assert.ok(opened);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await fetch(pixel)).status, 200);
    assert.equal(new Date((await row(first)).opened_at!).getTime(), new Date(opened).getTime());
  });

  it('the click redirects (302) to the signed target and records the click', async () => {
    const res = await fetch(tokenIn(String(mail.mail.html), 't/c'), { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), landing);
    assert.ok((await row(first)).clicked_at);
  });

  it('a forged or altered link is refused (400), never redirected', async () => {
    const click = tokenIn(String(mail.mail.html), 't/c');
    const [payload, mac] = click.split('/t/c/')[1]!.split('.') as [string, string];
    const evil = Buffer.from(`${first}\nhttps://evil.example.com/`).toString('base64url');
    for (const bad of [`${base}/t/c/${evil}.${mac}`, `${base}/t/c/${payload}.${mac.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`, `${base}/t/c/${payload}`, `${base}/t/o/${payload}.${mac}`]) {
      const res = await fetch(bad, { redirect: 'manual' });
      assert.equal(res.status, 400, bad);
      assert.equal(res.headers.get('location'), null);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'invalid_token');
      assert.match(body.error.message, /^path\.token: /);
    }
  });

  it('opens and clicks reach analytics as Message Opened / Message Clicked events with the campaign, arm and message', async () => {
    const events = await eventually(async () => {
      const rows = await rt.olap.query<{ event: string; message_id: string; campaign_id: string; arm: string; url: string }>(
        `SELECT event, JSONExtractString(properties, 'message_id') AS message_id, JSONExtractString(properties, 'campaign_id') AS campaign_id,
                JSONExtractString(properties, 'arm') AS arm, JSONExtractString(properties, 'url') AS url
         FROM ${rt.olap.db}.events WHERE user_id = {u:String} AND event IN ('Message Opened', 'Message Clicked') ORDER BY event`,
        { u: 'u-ming' },
      );
      return rows.length === 2 ? rows : null;
    });
    assert.deepEqual(events, [
      { event: 'Message Clicked', message_id: first, campaign_id: 'cmp-mail', arm: 'A', url: landing },
      { event: 'Message Opened', message_id: first, campaign_id: 'cmp-mail', arm: 'A', url: '' },
    ]);
  });

  it('the unsubscribe link asks on GET, unsubscribes on the one-click POST, and the next send is suppressed', async () => {
    const link = header(mail, 'list-unsubscribe')!.slice(1, -1);
    const page = await fetch(link);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.ok(html.includes('确认退订') && html.includes('Unsubscribe'), html);
    assert.equal((await rt.oltp.query('SELECT 1 FROM channel_subscriptions WHERE person_id = $1', [personId])).length, 0, 'a GET alone unsubscribes nobody');
    // what a mail client sends for RFC 8058
    const post = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal(post.status, 200);
    const done = await post.text();
    assert.ok(done.includes('已退订') && done.includes('You are unsubscribed'), done);
    const subs = await rt.oltp.query<{ channel: string; subscribed: boolean; source: string }>('SELECT channel, subscribed, source FROM channel_subscriptions WHERE person_id = $1', [personId]);
    assert.deepEqual(subs, [{ channel: 'email', subscribed: false, source: 'link' }]);

    // the next send: another campaign's run to the same person
    const next = await runCampaign('cmp-mail-2');
    assert.equal(await rt.campaigns.deliverNow(), 0);
    assert.deepEqual(await row(next).then((r) => [r.status, r.reason]), ['suppressed', 'unsubscribed']);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(received.length, 1, 'nothing more reached the SMTP server');
  });

  it('an unknown or altered unsubscribe token shows the invalid-link page', async () => {
    const link = header(mail, 'list-unsubscribe')!.slice(1, -1);
    // the MAC's first character (its last carries padding bits a decoder ignores)
    const [payload, mac] = link.split('/u/')[1]!.split('.') as [string, string];
    const altered = `${base}/u/${payload}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    const res = await fetch(altered, { method: 'POST' });
    assert.equal(res.status, 400);
    assert.ok((await res.text()).includes('链接无效'));
  });
});

describe('SMTP answers as delivery results', () => {
  const rendered = (to: string): RenderedMessage => ({
    id: `direct-${to}`, channel: 'email', userId: 'u-x', to, locale: 'en', subject: 'Hi', text: 'Hello', html: '<p>Hello</p>',
    unsubscribeUrl: `${base}/u/x.y`, meta: { campaignId: null, journeyId: null, stepId: null, arm: 'A' },
  });

  it('5xx from the server is final, 4xx is retried, a refused connection is retried', async () => {
    const ch = new EmailChannel({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'shop@example.com' });
    try {
      const gone = await ch.send(rendered('nobody@example.com'));
      assert.equal(gone.ok, false);
      assert.equal(!gone.ok && gone.retryable, false);
      assert.match(!gone.ok ? gone.error : '', /550/);
      const busy = await ch.send(rendered('busy@example.com'));
      assert.equal(!busy.ok && busy.retryable, true);
      assert.match(!busy.ok ? busy.error : '', /451/);
      const ok = await ch.send(rendered('fine@example.com'));
      assert.equal(ok.ok, true);
    } finally {
      await ch.close();
    }
    const down = new EmailChannel({ smtpUrl: `smtp://127.0.0.1:${await freePort()}`, from: 'shop@example.com' });
    const r = await down.send(rendered('fine@example.com'));
    await down.close();
    assert.equal(!r.ok && r.retryable, true, JSON.stringify(r));
    const none = await new EmailChannel({ from: 'shop@example.com' }).send(rendered('fine@example.com'));
    assert.equal(!none.ok && none.retryable, false);
  });
});
