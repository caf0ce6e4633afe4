import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type Server } from '../../src/cli/serve.ts';
import { testConfig, type Config } from '../../src/config.ts';
import type { OutgoingMessage } from '../../src/campaigns/index.ts';
import { api, tmpDataDir } from '../support/server.ts';
import { DAY, MINUTE, consent, ev, loadCatalog, send } from '../recommend/fixture.ts';

/**
 * Consent withdrawn over the API reaches every computation that uses it: before, the person has a
 * marketing tag and personalisation tags, gets personalised recommendations and an in-app campaign
 * message; after `PUT /api/v1/profiles/{id}/consent` withdraws marketing and personalisation, the
 * marketing and personalisation tags are gone from the profile, the recommendations are the anonymous
 * list, and the next campaign message is suppressed for want of consent. The consent history shows both
 * states, and the change is audited.
 */
const dataDir = tmpDataDir(after, 'hx-consent-');
let server: Server;
let admin: ReturnType<typeof api>;
const now = Date.now();
const t0 = now - 6 * DAY;

const inapp = (id: string, personId: string): OutgoingMessage => ({
  id, campaignId: null, journeyId: 'consent-test', stepId: id, personId, userId: 'ann', channel: 'inapp', arm: 'treatment', locale: 'en',
  content: { subject: { en: 'Hello' }, body: { en: 'A dress for you' } }, notBefore: new Date(0).toISOString(),
});

/** a message's final state: the server's own delivery loop may be the one that takes it */
async function settledMessage(id: string): Promise<{ status: string; reason: string | null }> {
  for (let i = 0; i < 100; i++) {
    await server.rt.campaigns.deliverNow();
    const [row] = await server.rt.oltp.query<{ status: string; reason: string | null }>('SELECT status, reason FROM campaign_messages WHERE id = $1', [id]);
    if (row && row.status !== 'queued' && row.status !== 'sending') return row;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`message ${id} still waiting after 10 s`);
}

before(async () => {
  server = await startServer(testConfig({ dataDir, port: 0, logLevel: 'silent', campaigns: { quietHours: 'off' } as Config['campaigns'] }), 'test');
  admin = api(server.url, server.adminToken);
  const rt = server.rt;
  await loadCatalog(rt, now);
  const m = [];
  for (let n = 0; n < 6; n++) {
    const u = `shopper${n}`;
    const t = t0 + n * 10 * MINUTE;
    m.push(consent(u, t0 - DAY), ev.view(u, 'a1', t), ev.view(u, 'a2', t + MINUTE), ev.buy(u, ['a2', 'b2'], t + DAY), ev.view(u, 'b1', t + DAY + MINUTE));
  }
  m.push(consent('ann', t0 - DAY), ev.view('ann', 'a1', t0 + 3 * DAY), ev.buy('ann', ['a3'], t0 + 3 * DAY + MINUTE), ev.view('ann', 'b1', t0 + 3 * DAY + 2 * MINUTE));
  await send(rt, m);
  const tag = await admin.post('/api/v1/tags', {
    code: 'buyer_for_offers', category: 'custom', name_zh: '可推送优惠的买家', name_en: 'Buyer for offers', valueType: 'number', purpose: 'marketing',
    spec: { type: 'stat', stat: { agg: 'count', event: 'Order Completed', window: '30d' } },
  });
  assert.equal(tag.status, 201, tag.text);
  await rt.tags.build({ trigger: 'test' });
  await rt.recommend.train({ trigger: 'test' });
});
after(async () => server?.close());

describe('consent withdrawn', () => {
  let person = '';

  it('before: marketing and personalisation tags, personalised recommendations, a message delivered', async () => {
    const p = await admin.get('/api/v1/profiles/ann');
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.tags.buyer_for_offers, 1);
    assert.ok(p.body.tags.top_categories, 'a personalisation tag');
    assert.equal(p.body.tags.consent_marketing, true);
    const rec = await admin.get('/api/v1/recommendations/users/ann?limit=6&explore=0');
    assert.equal(rec.status, 200, rec.text);
    assert.ok(rec.body.items.some((i: { becauseOf?: unknown }) => i.becauseOf), 'personalised: some items because of her history');
    person = await server.rt.identity.personOf('ann');
    await server.rt.campaigns.enqueue([inapp('consent-before', person)]);
    const row = await settledMessage('consent-before');
    assert.ok(['sent', 'delivered'].includes(row.status), JSON.stringify(row));
  });

  it('PUT withdraws marketing and personalisation; the history has both states; audited', async () => {
    const r = await admin.put('/api/v1/profiles/ann/consent', { purposes: { marketing: false, personalization: false }, channels: { sms: false }, source: 'preference centre' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.purposes, { analytics: true, personalization: false, marketing: false });
    assert.equal(r.body.channels.sms, false);
    assert.equal(r.body.channels.email, null);
    assert.deepEqual(r.body.history.map((h: { purposes: unknown }) => h.purposes), [
      { analytics: true, personalization: true, marketing: true },
      { analytics: true, personalization: false, marketing: false },
    ]);
    assert.equal(r.body.history[1].source, 'consent-api:preference centre');
    const log = await admin.get('/api/v1/audit?action=consent.update');
    assert.equal(log.body.entries.length, 1);
    const bad = await admin.put('/api/v1/profiles/ann/consent', { purposes: { marketing: 'no' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^body\.purposes\.marketing/);
    assert.equal((await admin.put('/api/v1/profiles/nobody-here/consent', { purposes: { marketing: true } })).status, 404);
  });

  it('after: the tags are cleared, recommendations are the anonymous list, the next message is suppressed', async () => {
    await server.rt.tags.live.settled();
    await server.rt.recommend.settled();
    const p = await admin.get('/api/v1/profiles/ann');
    assert.equal(p.body.tags.consent_marketing, false);
    assert.equal(p.body.tags.buyer_for_offers, undefined, 'the marketing tag is cleared');
    assert.equal(p.body.tags.top_categories, undefined, 'the personalisation tag is cleared');
    // a full build agrees with the live refresh
    await server.rt.tags.build({ trigger: 'test' });
    const p2 = await admin.get('/api/v1/profiles/ann');
    assert.equal(p2.body.tags.buyer_for_offers, undefined);
    const ann = await admin.get('/api/v1/recommendations/users/ann?limit=6&explore=0');
    const anon = await admin.get('/api/v1/recommendations/users/never-seen-consent?limit=6&explore=0');
    assert.deepEqual(ann.body.items.map((i: { itemId: string }) => i.itemId), anon.body.items.map((i: { itemId: string }) => i.itemId));
    assert.ok(ann.body.items.every((i: { becauseOf?: unknown }) => !i.becauseOf));
    await server.rt.campaigns.enqueue([inapp('consent-after', person)]);
    assert.deepEqual(await settledMessage('consent-after'), { status: 'suppressed', reason: 'no_consent' });
  });
});
