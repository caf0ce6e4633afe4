import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addYears, isDate } from './dates.ts';
import { resolveRange } from './range.ts';

describe('resolveRange', () => {
  const tz = 'Asia/Shanghai' as const;
  it('defaults to the 30 days ending with the latest event', () => {
    assert.deepEqual(resolveRange({ tz }, '2024-06-30'), { ok: true, from: '2024-06-01', to: '2024-07-01' });
    assert.deepEqual(resolveRange({ tz, to: '2024-03-01' }, '2024-06-30'), { ok: true, from: '2024-01-31', to: '2024-03-01' });
    assert.deepEqual(resolveRange({ tz, from: '2024-06-20' }, '2024-06-30'), { ok: true, from: '2024-06-20', to: '2024-07-01' });
  });
  it('without events, ends today in the reporting timezone', () => {
    // 2024-06-30 20:00 UTC is already 1 July in Shanghai
    assert.deepEqual(resolveRange({ tz }, null, Date.UTC(2024, 5, 30, 20)), { ok: true, from: '2024-06-02', to: '2024-07-02' });
    assert.deepEqual(resolveRange({ tz: 'UTC' }, null, Date.UTC(2024, 5, 30, 20)), { ok: true, from: '2024-06-01', to: '2024-07-01' });
  });
  it('names the field and the reason', () => {
    assert.deepEqual(resolveRange({ tz, from: '2024-02-30' }, null), { ok: false, field: 'from', message: "must be a calendar date as YYYY-MM-DD, got '2024-02-30'" });
    assert.equal(resolveRange({ tz, to: '2024/01/01' }, null).ok, false);
    const same = resolveRange({ tz, from: '2024-01-01', to: '2024-01-01' }, null);
    assert.ok(!same.ok && same.field === 'to' && /must be after from/.test(same.message));
    const late = resolveRange({ tz, from: '2024-07-05' }, '2024-06-30');
    assert.ok(!late.ok && /defaults to the day after the latest event, 2024-07-01/.test(late.message));
    const long = resolveRange({ tz, from: '2020-01-01', to: '2023-01-02' }, null);
    assert.ok(!long.ok && /at most 3 years/.test(long.message), JSON.stringify(long));
    assert.deepEqual(resolveRange({ tz, from: '2020-01-01', to: '2023-01-01' }, null), { ok: true, from: '2020-01-01', to: '2023-01-01' });
  });
  it('calendar helpers', () => {
    assert.ok(isDate('2024-02-29') && !isDate('2023-02-29') && !isDate('2024-2-1'));
    assert.equal(addYears('2024-02-29', 1), '2025-02-28');
  });
});
