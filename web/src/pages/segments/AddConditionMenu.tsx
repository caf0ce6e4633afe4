import { useEffect, useRef, useState } from 'react';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { CONDITION_KINDS, type ConditionKind } from './ruleDraft.ts';

/** "+ Add condition": a small menu of condition kinds, and a nested group. */
export function AddConditionMenu({ onAdd }: { onAdd(kind: ConditionKind | 'group'): void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('keydown', close);
    window.addEventListener('mousedown', close);
    return () => {
      window.removeEventListener('keydown', close);
      window.removeEventListener('mousedown', close);
    };
  }, [open]);
  const pick = (k: ConditionKind | 'group') => {
    setOpen(false);
    onAdd(k);
  };
  return (
    <div className="add-menu" ref={box}>
      <button type="button" className="btn small" aria-expanded={open} aria-haspopup="menu" onClick={() => setOpen((o) => !o)} data-testid="add-condition">
        + {t('seg.add.condition')}
      </button>
      <button type="button" className="btn ghost small" onClick={() => pick('group')} data-testid="add-group">
        + {t('seg.add.group')}
      </button>
      {open && (
        <div className="menu" role="menu">
          {CONDITION_KINDS.map((k) => (
            <button key={k} type="button" role="menuitem" onClick={() => pick(k)} data-add={k}>
              <strong>{t(`seg.cond.${k}` as MessageKey)}</strong>
              <span className="muted small">{t(`seg.condHint.${k}` as MessageKey)}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
