import type { Histogram } from 'prom-client';
import type { Rule } from '../../segments/index.ts';
import type { OlapStore } from '../../store/olap/index.ts';
import type { OutgoingMessage } from '../types.ts';
import type { SendFn } from './engine.ts';
import type { CompiledJourney, Pass } from './pass.ts';
import type { JourneyStore, PersonState } from './store.ts';

/** The key of a person in a journey (or of a journey step, for grouping). */
export const keyOf = (journeyId: string, personId: string) => `${journeyId}\u0000${personId}`;

/** What settling a pass needs from the engine. */
export interface SettleDeps {
  journeys: ReadonlyMap<string, CompiledJourney>;
  store: JourneyStore;
  olap: OlapStore;
  /** trigger-to-enqueue seconds */
  latency: Histogram;
  send: SendFn;
  /** the people among `persons` a split's condition holds for */
  matching(rule: Rule, persons: string[]): Promise<string[]>;
}

/** Works out every pending split and send of a pass, round by round, then writes it. */
export async function settle(d: SettleDeps, pass: Pass): Promise<void> {
  for (let round = 0; round < 200; round++) {
    const pending = pass.pending();
    if (!pending.length) break;
    const groups = new Map<string, PersonState[]>();
    for (const s of pending) {
      const k = keyOf(s.journeyId, s.stepId!);
      const g = groups.get(k);
      if (g) g.push(s);
      else groups.set(k, [s]);
    }
    const sends: { j: CompiledJourney; s: PersonState; next: string | undefined }[] = [];
    const msgs: OutgoingMessage[] = [];
    const sentKeys: string[] = [];
    for (const group of groups.values()) {
      const j = d.journeys.get(group[0]!.journeyId)!;
      const step = j.step(group[0]!.stepId)!;
      if (step.type === 'split') {
        const yes = new Set(await d.matching(step.condition, group.map((s) => s.personId)));
        for (const s of group) pass.move(j, s, yes.has(s.personId) ? step.yes : step.no);
      } else if (step.type === 'send') {
        for (const s of group) {
          if (s.arm === 'control') pass.heldOut(s);
          else {
            msgs.push(pass.message(j, s, step));
            sentKeys.push(keyOf(s.journeyId, s.personId));
          }
          sends.push({ j, s, next: step.next });
        }
      }
    }
    if (msgs.length) {
      await d.send(msgs);
      const t = Date.now();
      for (const k of sentKeys) {
        const at = pass.triggeredAt.get(k);
        if (at !== undefined) d.latency.observe((t - at) / 1000);
      }
    }
    for (const x of sends) pass.move(x.j, x.s, x.next);
  }
  const states = [...pass.touched.values()];
  if (!states.length) return;
  // the ClickHouse insert runs off the event loop, beside the Postgres writes
  await Promise.all([
    (async () => {
      await d.store.save(states);
      await d.store.count(pass.counts);
    })(),
    pass.entries.length ? recordAssignments(d.olap, pass.entries) : null,
  ]);
}

/**
 * Entries recorded in campaign_assignments as campaign `journey:<id>`, run `entry-<n>`, arm `journey`
 * or `control`, so results can compare the treated with the held-out the way campaigns are compared.
 */
async function recordAssignments(olap: OlapStore, entries: PersonState[]): Promise<void> {
await olap.insert(
    'campaign_assignments',
    entries.map((s) => ({
      campaign_id: `journey:${s.journeyId}`, run_id: `entry-${s.entry}`, person_id: s.personId, user_id: s.userId, arm: s.arm,
      assigned_at: new Date(s.enteredAt).toISOString().replace('T', ' ').replace('Z', ''),
    })),
  );
}
