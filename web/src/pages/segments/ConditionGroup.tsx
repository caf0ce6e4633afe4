import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { AddConditionMenu } from './AddConditionMenu.tsx';
import { useBuilder } from './builderContext.ts';
import { CodesCondition } from './CodesCondition.tsx';
import { EventCondition } from './EventCondition.tsx';
import { RawCondition } from './RawCondition.tsx';
import { isComplete, newCondition, type CondDraft, type GroupDraft } from './ruleDraft.ts';
import { SegmentRefCondition } from './SegmentRefCondition.tsx';
import { StepsCondition } from './StepsCondition.tsx';
import { ValueCondition } from './ValueCondition.tsx';

/**
 * A group of conditions joined by AND (all) or OR (any), optionally negated; groups nest. `path` names the
 * node for tests and screen readers ("" for the root, "1.0" for the first item of the second).
 */
export function ConditionGroup({ group, onChange, onRemove, path = '' }: { group: GroupDraft; onChange(g: GroupDraft): void; onRemove?: () => void; path?: string }) {
  const { t } = useI18n();
  const set = (patch: Partial<GroupDraft>) => onChange({ ...group, ...patch });
  const setItem = (i: number, c: CondDraft) => set({ items: group.items.map((x, j) => (j === i ? c : x)) });
  const removeItem = (i: number) => set({ items: group.items.filter((_, j) => j !== i) });
  const root = path === '';
  return (
    <div className={`rule-group${root ? ' root' : ''}${group.negate ? ' negated' : ''}`} data-group={path || 'root'} data-join={group.join} data-testid={root ? 'rule-root' : undefined}>
      <div className="group-head">
        <div className="segmented small" role="radiogroup" aria-label={t('seg.group.join')}>
          {(['all', 'any'] as const).map((j) => (
            <button key={j} type="button" role="radio" aria-checked={group.join === j} className={group.join === j ? 'active' : ''} onClick={() => set({ join: j })} data-join-choice={j}>
              {t(`seg.group.${j}` as MessageKey)}
            </button>
          ))}
        </div>
        <label className="not-toggle">
          <input type="checkbox" checked={group.negate} onChange={(e) => set({ negate: e.target.checked })} data-testid="negate-group" />
          {t('seg.group.not')}
        </label>
        {onRemove && (
          <button type="button" className="btn ghost small remove" onClick={onRemove} aria-label={t('seg.group.remove')}>
            {t('seg.group.remove')}
          </button>
        )}
      </div>
      {group.items.length === 0 && <p className="muted small group-empty">{t(root ? 'seg.group.emptyRoot' : 'seg.group.empty')}</p>}
      <ol className="group-items">
        {group.items.map((c, i) => {
          const p = root ? String(i) : `${path}.${i}`;
          return (
            <li key={c.id}>
              {i > 0 && <span className={`joiner ${group.join}`}>{t(group.join === 'all' ? 'seg.group.and' : 'seg.group.or')}</span>}
              {c.kind === 'group' ? (
                <ConditionGroup group={c} path={p} onChange={(g) => setItem(i, g)} onRemove={() => removeItem(i)} />
              ) : (
                <ConditionRow cond={c} path={p} onChange={(x) => setItem(i, x)} onRemove={() => removeItem(i)} />
              )}
            </li>
          );
        })}
      </ol>
      <AddConditionMenu onAdd={(k) => set({ items: [...group.items, newCondition(k)] })} />
    </div>
  );
}

/** One condition: its kind, its fields, NOT, remove; marked while not filled in (and then not counted). */
function ConditionRow({ cond, path, onChange, onRemove }: { cond: Exclude<CondDraft, GroupDraft>; path: string; onChange(c: CondDraft): void; onRemove(): void }) {
  const { t } = useI18n();
  const { types } = useBuilder();
  const complete = isComplete(cond, types);
  let body;
  switch (cond.kind) {
    case 'tag':
    case 'trait':
      body = <ValueCondition draft={cond} onChange={onChange} />;
      break;
    case 'event':
      body = <EventCondition draft={cond} onChange={onChange} />;
      break;
    case 'sequence':
    case 'funnel':
      body = <StepsCondition draft={cond} onChange={onChange} />;
      break;
    case 'rfm':
    case 'lifecycle':
      body = <CodesCondition draft={cond} onChange={onChange} />;
      break;
    case 'segment':
      body = <SegmentRefCondition draft={cond} onChange={onChange} />;
      break;
    case 'raw':
      body = <RawCondition draft={cond} onChange={onChange} />;
      break;
  }
  return (
    <div className={`cond-row${complete ? '' : ' incomplete'}${cond.negate ? ' negated' : ''}`} data-path={path} data-cond={cond.kind} data-complete={complete}>
      <div className="cond-kind">
        <span className={`cond-badge k-${cond.kind}`}>
          {cond.negate && <span className="not-mark">{t('seg.cond.not')} </span>}
          {t(`seg.cond.${cond.kind}` as MessageKey)}
        </span>
        {!complete && <span className="muted small">{t('seg.cond.incomplete')}</span>}
      </div>
      <div className="cond-body">{body}</div>
      <div className="cond-actions">
        <label className="not-toggle" title={t('seg.cond.notHint')}>
          <input type="checkbox" checked={cond.negate} onChange={(e) => onChange({ ...cond, negate: e.target.checked })} data-testid="negate" />
          {t('seg.cond.not')}
        </label>
        <button type="button" className="btn ghost small remove" onClick={onRemove} aria-label={t('seg.cond.remove')} data-testid="remove-condition">
          ×
        </button>
      </div>
    </div>
  );
}
