import { useMemo } from 'react';
import { useI18n } from '../../i18n/index.tsx';
import { navigate } from '../../router.ts';
import type { Segment, Tag } from '../../types.ts';
import { SegmentKindBadge } from './KindBadge.tsx';
import { ruleText } from './ruleText.ts';

/** The saved segments, newest first: name and rule in words, kind, size, last evaluation; a row opens it. */
export function SegmentList({ segments, tags }: { segments: Segment[]; tags: Tag[] }) {
  const { t, fmt, lang } = useI18n();
  const ctx = useMemo(() => ({ t, fmt, lang, tags: new Map(tags.map((x) => [x.code, x])), segments: new Map(segments.map((s) => [s.id, s.name])) }), [t, fmt, lang, tags, segments]);
  if (!segments.length) {
    return (
      <div className="card intro" data-testid="segment-list-empty">
        <p className="muted">{t('seg.list.empty')}</p>
        <button type="button" className="btn primary" onClick={() => navigate('/segments/new')}>
          + {t('seg.tab.new')}
        </button>
      </div>
    );
  }
  const open = (id: string) => navigate(`/segments/${encodeURIComponent(id)}`);
  return (
    <div className="card">
      <div className="table-wrap">
        <table className="table clickable" data-testid="segment-list">
          <thead>
            <tr>
              <th>{t('seg.col.name')}</th>
              <th>{t('seg.col.kind')}</th>
              <th className="num">{t('seg.col.size')}</th>
              <th>{t('seg.col.evaluated')}</th>
              <th>{t('seg.col.createdBy')}</th>
            </tr>
          </thead>
          <tbody>
            {segments.map((s) => (
              <tr key={s.id} onClick={() => open(s.id)} data-segment={s.id} data-size={s.size}>
                <td>
                  <a
                    href={`/segments/${encodeURIComponent(s.id)}`}
                    className="seg-name"
                    onClick={(e) => {
                      e.preventDefault();
                      e.stopPropagation();
                      open(s.id);
                    }}
                  >
                    {s.name}
                  </a>
                  {s.webhook && <span className="tbadge webhook">{t('seg.webhook')}</span>}
                  <div className="muted small clip">{s.rule ? ruleText(s.rule, ctx) : s.description || t('seg.list.staticHint')}</div>
                </td>
                <td>
                  <SegmentKindBadge kind={s.kind} />
                </td>
                <td className="num">{fmt.number(s.size)}</td>
                <td className="nowrap">{s.evaluatedAt ? fmt.dateTime(s.evaluatedAt) : '—'}</td>
                <td>{s.createdBy}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
