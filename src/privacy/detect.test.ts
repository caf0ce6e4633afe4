import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectPii, maskPiiIn, scrubPii, validIdNumber, wholeValuePii } from './detect.ts';

describe('personal data in free text', () => {
  it('checks a resident ID number by its check digit', () => {
    assert.equal(validIdNumber('11010519491231002X'), true);
    assert.equal(validIdNumber('110105194912310021'), false);
    assert.equal(validIdNumber('11010519491231002'), false);
  });

  it('finds mobile numbers (with +86, spaces, dashes), ID numbers, e-mails and street addresses', () => {
    const found = detectPii('找我 +86 139-1234-5678 或 13612345678；邮箱 li.wei@example.cn；身份证 11010519491231002X；寄到 浙江省杭州市西湖区文三路90号');
    assert.deepEqual(found.map((f) => f.kind).sort(), ['address', 'email', 'id_number', 'phone', 'phone']);
  });

  it('leaves alone what only looks numeric: an 18-digit number with a wrong check digit, a 13-digit timestamp, a landline', () => {
    assert.deepEqual(detectPii('order 110105194912310021 at 1732000000000, call 0571-88888888'), []);
  });

  it('masks what it finds as the API masks it', () => {
    assert.equal(maskPiiIn('电话13912345678，邮箱li.wei@example.cn'), '电话139****5678，邮箱l***@example.cn');
    assert.equal(maskPiiIn('身份证 11010519491231002X'), '身份证 110***********002X');
    assert.equal(maskPiiIn('寄到 浙江省杭州市西湖区文三路90号'), '寄到 浙江省杭州市****');
  });

  it('scrubs every string of a value except identifier keys', () => {
    const r = scrubPii({ query: '13912345678', order_id: '13912345678', products: [{ product_id: '13912345678', note: 'li@example.cn' }], n: 13912345678 });
    assert.equal(r.found, true);
    assert.deepEqual(r.value, { query: '139****5678', order_id: '13912345678', products: [{ product_id: '13912345678', note: 'l***@example.cn' }], n: 13912345678 });
    const clean = { a: 'hello', b: [1, 2] };
    assert.equal(scrubPii(clean).value, clean, 'nothing found: the same object back');
  });

  it('tells a trait that is personal data from one that merely contains it', () => {
    assert.equal(wholeValuePii('139 1234 5678'), 'phone');
    assert.equal(wholeValuePii(' li.wei@example.cn '), 'email');
    assert.equal(wholeValuePii('11010519491231002X'), 'id_number');
    assert.equal(wholeValuePii('浙江省杭州市西湖区文三路90号'), 'address');
    assert.equal(wholeValuePii('call 13912345678 after 6'), null);
  });
});
