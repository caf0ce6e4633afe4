import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IdentityGraph } from '../../src/identity/index.ts';
import { PersonResolver } from '../../src/recommend/personResolver.ts';

/**
 * The resolver answers trained ids from memory and asks the identity graph only for the rest; a trained
 * person whom no id maps to another (a visitor never linked) is answered as themselves until their events
 * arrive, and then asked again, since an identify may have tied them to someone.
 */

function graph(answers: Record<string, string>): { identity: IdentityGraph; asked: string[] } {
  const asked: string[] = [];
  const identity = { personOf: async (id: string) => (asked.push(id), answers[id] ?? id) } as unknown as IdentityGraph;
  return { identity, asked };
}

describe('person resolver', () => {
  it('answers trained ids and trained people from memory, and asks the graph for the others once', async () => {
    const { identity, asked } = graph({ newcomer: 'p9' });
    const r = new PersonResolver(identity, new Map([['device-1', 'p1'], ['user-1', 'p1']]), new Set(['anon-7']));
    assert.equal(await r.personOf('device-1'), 'p1');
    assert.equal(await r.personOf('anon-7'), 'anon-7');
    assert.deepEqual(asked, []);
    assert.equal(await r.personOf('newcomer'), 'p9');
    assert.equal(await r.personOf('newcomer'), 'p9');
    assert.deepEqual(asked, ['newcomer']);
  });

  it('asks again for a trained person once their events arrive', async () => {
    const { identity, asked } = graph({ 'anon-7': 'p2' });
    const r = new PersonResolver(identity, new Map(), new Set(['anon-7']));
    assert.equal(await r.personOf('anon-7'), 'anon-7');
    r.forget('anon-7');
    assert.equal(await r.personOf('anon-7'), 'p2', 'the identify that arrived tied the visitor to p2');
    assert.deepEqual(asked, ['anon-7']);
  });
});
