import { createHash } from 'node:crypto';
import { assignArm } from '../../experiments/index.ts';
import type { OutgoingMessage } from '../types.ts';
import { durationMs, startOf, type Journey, type Step } from './definition.ts';
import type { PersonState, StepCount } from './store.ts';

/** A journey with its steps by id, as a pass walks it. */
export class CompiledJourney {
  readonly steps: Map<string, Step>;
  readonly start: string;
  constructor(readonly def: Journey) {
    this.steps = new Map(def.steps.map((s) => [s.id, s]));
    this.start = startOf(def);
  }
  step(id: string | null): Step | undefined {
    return id === null ? undefined : this.steps.get(id);
  }
}

export const inProgress = (s: PersonState | undefined): boolean => s !== undefined && (s.status === 'waiting' || s.status === 'active');

/** The journey's own message id: the dedup key is journey, step, person and entry. */
export function journeyMessageId(journeyId: string, stepId: string, personId: string, entry: number): string {
  return `jm_${createHash('sha256').update(`${journeyId}\u0000${stepId}\u0000${personId}\u0000${entry}`).digest('hex').slice(0, 32)}`;
}

/**
 * One batch of work in memory: states loaded, moved along their journeys' graphs, counted. Waits and
 * exits are settled on the spot; splits and sends leave a state `active` until the engine works them
 * out for the whole batch at once (one query per split step, one enqueue per round).
 */
export class Pass {
  readonly touched = new Map<string, PersonState>();
  readonly counts = new Map<string, Map<string, StepCount>>();
  readonly entries: PersonState[] = [];
  /** wall-clock time the event behind a state's progress was stored (trigger-to-send latency) */
  readonly triggeredAt = new Map<string, number>();

  constructor(readonly now: number) {}

  private count(journeyId: string, stepId: string, k: keyof StepCount): void {
    let m = this.counts.get(journeyId);
    if (!m) this.counts.set(journeyId, (m = new Map()));
    const c = m.get(stepId) ?? { entered: 0, completed: 0, heldOut: 0 };
    c[k] += 1;
    m.set(stepId, c);
  }

  touch(s: PersonState): void {
    this.touched.set(`${s.journeyId}\u0000${s.personId}`, s);
  }

  /** May this person (with this last state) enter now? */
  mayEnter(j: CompiledJourney, last: PersonState | undefined): boolean {
    if (!last) return true;
    if (inProgress(last)) return false;
    const r = j.def.reentry;
    if (r.policy === 'never') return false;
    if (r.policy === 'always') return true;
    return this.now - last.enteredAt >= durationMs(r.cooldown);
  }

  /** A new entry (the caller checked mayEnter), walked until it waits, ends or needs a split or send. */
  enter(j: CompiledJourney, personId: string, userId: string, locale: PersonState['locale'], last: PersonState | undefined): PersonState {
    const h = j.def.holdout;
    const arm = h > 0 && assignArm(`journey:${j.def.id}`, personId, [{ name: 'control', weight: h }, { name: 'journey', weight: 1 - h }]) === 'control' ? 'control' : 'journey';
    const s: PersonState = {
      journeyId: j.def.id, personId, userId, entry: (last?.entry ?? 0) + 1, arm, locale, stepId: j.start, status: 'active',
      wakeAt: null, awaiting: null, enteredAt: this.now, stepAt: this.now, finishedAt: null, exitReason: null, version: last?.version ?? 0,
    };
    this.touch(s);
    this.entries.push(s);
    this.count(j.def.id, j.start, 'entered');
    this.arrive(j, s);
    return s;
  }

  /** Leaves the current step for `to` (undefined: the journey ends). */
  move(j: CompiledJourney, s: PersonState, to: string | undefined): void {
    this.touch(s);
    if (s.stepId !== null) this.count(j.def.id, s.stepId, 'completed');
    s.wakeAt = null;
    s.awaiting = null;
    if (to === undefined) return this.finish(s, 'done', null);
    s.stepId = to;
    s.stepAt = this.now;
    s.status = 'active';
    this.count(j.def.id, to, 'entered');
    this.arrive(j, s);
  }

  /** Ends the journey for a person wherever they are (a global exit event). */
  exit(s: PersonState, reason: string): void {
    this.touch(s);
    this.finish(s, 'exited', reason);
  }

  heldOut(s: PersonState): void {
    this.count(s.journeyId, s.stepId!, 'heldOut');
  }

  private finish(s: PersonState, status: 'done' | 'exited', reason: string | null): void {
    s.status = status;
    s.finishedAt = this.now;
    s.exitReason = reason;
    s.wakeAt = null;
    s.awaiting = null;
  }

  private arrive(j: CompiledJourney, s: PersonState): void {
    const step = j.step(s.stepId);
    if (!step) return this.finish(s, 'exited', `step '${s.stepId}' no longer exists`);
    if (step.type === 'wait') {
      s.status = 'waiting';
      s.wakeAt = this.now + durationMs(step.duration);
      s.awaiting = step.until?.event ?? null;
    } else if (step.type === 'exit') {
      this.count(j.def.id, step.id, 'completed');
      this.finish(s, 'done', null);
    } else s.status = 'active';
  }

  /** States waiting for a split or a send. */
  pending(): PersonState[] {
    return [...this.touched.values()].filter((s) => s.status === 'active');
  }

  message(j: CompiledJourney, s: PersonState, step: Extract<Step, { type: 'send' }>): OutgoingMessage {
    return {
      id: journeyMessageId(j.def.id, step.id, s.personId, s.entry), campaignId: null, journeyId: j.def.id, stepId: step.id,
      personId: s.personId, userId: s.userId, channel: step.channel, arm: 'journey', locale: s.locale, content: step.content,
      notBefore: new Date(this.now).toISOString(),
    };
  }
}
