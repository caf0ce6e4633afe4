import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { DEFAULT_POLICY, policyOf } from '../../src/privacy/fairness.ts';
import { httpClient } from '../support/inProcessApi.ts';
import { DAY, msg, openScenario, send, type Scenario } from '../support/scenario.ts';

/**
 * A configurable fairness policy: HX_FAIRNESS_POLICY as inline JSON or a file; every mistake refused when
 * the configuration loads, naming the variable and the path inside it; and over HTTP, the policy check
 * flags an analytics tag built on city tier only when the configured policy forbids that.
 */
const load = (value: string) => loadConfig({ data: '/tmp/hx-unused' }, { HX_FAIRNESS_POLICY: value });
const refused = (value: string, message: RegExp) =>
  assert.throws(() => load(value), (e: Error) => e instanceof ConfigError && e.message.startsWith('configuration: HX_FAIRNESS_POLICY') && message.test(e.message), value);

describe('fairness policy from the configuration', () => {
  const policy = { tagPurposes: { analytics: ['city_tier'], marketing: ['gender', 'age'] }, campaignAudiences: ['gender'] };

  it('inline JSON or a file; the default without either', () => {
    assert.deepEqual(policyOf(load(JSON.stringify(policy))), policy);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hx-fair-')), 'policy.json');
    fs.writeFileSync(file, JSON.stringify(policy));
    assert.deepEqual(policyOf(load(file)), policy);
    fs.rmSync(path.dirname(file), { recursive: true });
    assert.equal(policyOf(loadConfig({ data: '/tmp/hx-unused' }, {})), DEFAULT_POLICY);
  });

  it('refuses each mistake, naming where it is', () => {
    refused('{"tagPurposes":{"marketing":["gendr"]},"campaignAudiences":[]}', /tagPurposes\.marketing\.0: .*"gender"/);
    refused('{"tagPurposes":{"marketting":[]},"campaignAudiences":[]}', /tagPurposes: .*"marketting"/);
    refused('{"tagPurposes":{}}', /campaignAudiences: /);
    refused('{"tagPurposes":{},"campaignAudiences":[],"extra":1}', /"extra"/);
    refused('{"tagPurposes":', /not valid JSON/);
    refused('/nonexistent/policy.json', /cannot read \/nonexistent\/policy\.json/);
  });

  describe('the policy check over HTTP', () => {
    let sc: Scenario;
    before(async () => {
      sc = await openScenario({ live: false, prefix: 'hx-faircfg-' });
      await send(sc.rt, [msg.identify('fc-1', Date.now() - DAY, { city_tier: '一线' })]);
      await sc.rt.tags.taxonomy.create({
        code: 'big_city_reader', category: 'custom', name_zh: '大城市', name_en: 'Big-city reader', valueType: 'boolean', kind: 'rule', purpose: 'analytics',
        spec: { type: 'rule', when: { eq: [{ tag: 'city_tier' }, '一线'] } },
      }, 'test');
    });
    after(async () => sc?.close());
    const get = httpClient(() => sc);
    type Check = { source: string; policy: unknown; violations: { kind: string; id: string; attributes: string[] }[] };

    it('flags the analytics tag on city tier only under a policy that forbids it', async () => {
      const before = (await (await get('/api/v1/transparency/policy')).json()) as Check;
      assert.equal(before.source, 'default');
      assert.ok(!before.violations.some((v) => v.id === 'big_city_reader'));
      sc.rt.config.privacy.fairness = load(JSON.stringify(policy)).privacy.fairness;
      try {
        const res = await get('/api/v1/transparency/policy');
        assert.equal(res.status, 200);
        const after = (await res.json()) as Check;
        assert.equal(after.source, 'configuration');
        assert.deepEqual(after.policy, policy);
        assert.deepEqual(after.violations.filter((v) => v.id === 'big_city_reader').map((v) => [v.kind, v.attributes]), [['tag', ['city_tier']]]);
      } finally {
        sc.rt.config.privacy.fairness = undefined;
      }
    });
  });
});
