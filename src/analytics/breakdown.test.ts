import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBreakdown } from './breakdown.ts';

const tags = new Map([
  ['city_tier', { valueType: 'enum' as const }],
  ['gmv_365d', { valueType: 'number' as const }],
  ['top_categories', { valueType: 'ranked' as const }],
]);
const known = (id: string) => id === 'seg_a' || id === 'seg_b';

test('shortcuts name the built-in tag that holds them', () => {
  assert.deepEqual(parseBreakdown('city_tier', tags, known), { ok: true, breakdown: { by: 'tag', tag: 'city_tier' } });
  assert.deepEqual(parseBreakdown('device', tags, known), { ok: true, breakdown: { by: 'tag', tag: 'device_preference' } });
});

test('tags must exist and have few values', () => {
  assert.deepEqual(parseBreakdown('tag:top_categories', tags, known), { ok: true, breakdown: { by: 'tag', tag: 'top_categories' } });
  const unknown = parseBreakdown('tag:nope', tags, known);
  assert.equal(unknown.ok, false);
  assert.match(!unknown.ok ? unknown.message : '', /unknown tag 'nope'/);
  const numeric = parseBreakdown('tag:gmv_365d', tags, known);
  assert.match(!numeric.ok ? numeric.message : '', /holds a number/);
});

test('segments: known ids, deduplicated, at most eight', () => {
  assert.deepEqual(parseBreakdown('segment:seg_a, seg_b,seg_a', tags, known), { ok: true, breakdown: { by: 'segment', segments: ['seg_a', 'seg_b'] } });
  const missing = parseBreakdown('segment:seg_a,seg_x', tags, known);
  assert.match(!missing.ok ? missing.message : '', /unknown segment 'seg_x'/);
  const many = parseBreakdown(`segment:${Array.from({ length: 9 }, () => 'seg_a').join(',')}`, tags, known);
  assert.match(!many.ok ? many.message : '', /at most 8/);
  assert.equal(parseBreakdown('segment:', tags, known).ok, false);
});

test('anything else names the accepted forms', () => {
  const r = parseBreakdown('colour', tags, known);
  assert.match(!r.ok ? r.message : '', /expected device, channel, city_tier, tag:<code> or segment:<id>/);
});
