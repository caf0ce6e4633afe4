import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classification, compileClassification, describeClassification, setClassification } from './classification.ts';
import { isPersonalField, maskProperties, maskTraits, maskValue } from './mask.ts';

describe('field classification', () => {
  it('compares names case-insensitively with _ and - ignored, and never declassifies a built-in field', () => {
    const c = compileClassification({ traits: { wechat_id: 'pii', email: 'ordinary' }, properties: { 'Buyer-Phone': 'pii' } });
    assert.equal(c.trait('WeChatId'), 'pii');
    assert.equal(c.trait('wechat-id'), 'pii');
    assert.equal(c.trait('email'), 'pii', 'email stays personal');
    assert.equal(c.trait('idNumber'), 'pii');
    assert.equal(c.trait('city_tier'), null);
    assert.equal(c.property('buyer_phone'), 'pii');
    assert.equal(c.detected, 'encrypt');
    assert.deepEqual(describeClassification(c).traits, { wechat_id: 'pii', email: 'pii' });
  });

  it('masks what the classification in force names, and restores the default after', () => {
    const before = classification();
    try {
      setClassification({ traits: { income_band: 'sensitive', qq: 'pii' }, properties: { gift_note: 'sensitive' } });
      assert.ok(isPersonalField('income_band') && isPersonalField('QQ') && !isPersonalField('city_tier'));
      assert.deepEqual(maskTraits({ income_band: '30k-50k', qq: '13912345678', city_tier: '一线' }), { income_band: '****', qq: '139****5678', city_tier: '一线' });
      assert.deepEqual(maskProperties({ gift_note: 'for mum', query: '找 13912345678' }), { gift_note: '****', query: '找 139****5678' });
    } finally {
      setClassification(before);
    }
    assert.ok(!isPersonalField('income_band'));
  });

  it('masks a value by the kind it is', () => {
    assert.equal(maskValue('li.na@example.cn'), 'l***@example.cn');
    assert.equal(maskValue('11010519491231002X'), '110***********002X');
    assert.equal(maskValue('浙江省杭州市西湖区文三路90号'), '浙江省杭州市****');
    assert.equal(maskValue('wx_12345'), '****');
    assert.equal(maskValue({ a: 1 }), '****');
    assert.equal(maskValue(''), '');
  });
});
