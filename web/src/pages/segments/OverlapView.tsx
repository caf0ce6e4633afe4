import { useEffect, useMemo, useState } from 'react';
import { apiSend } from '../../api.ts';
import { palette } from '../../components/Chart.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n } from '../../i18n/index.tsx';
import type { Overlap, Segment } from '../../types.ts';
import { VennDiagram } from './VennDiagram.tsx';

/**
 * How 2–3 saved segments overlap (POST /api/v1/segments/overlap): a Venn picture with each region's count,
 * and a table of the regions — the people in exactly those segments and none of the other chosen ones.
 */
export function OverlapView({ segments }: { segments: Segment[] }) {
  const { t, fmt } = useI18n();
  const [picked, setPicked] = useState<string[]>(() => segments.slice(0, 2).map((s) => s.id).concat(['', '']).slice(0, 3));
  const ids = useMemo(() => [...new Set(picked.filter(Boolean))], [picked]);
  const [state, setState] = useState<{ status: 'idle' } | { status: 'loading' } | { status: 'ok'; ids: string[]; data: Overlap } | { status: 'error'; message: string }>({ status: 'idle' });
  const key = ids.join(',');
  useEffect(() => {
    if (ids.length < 2) return setState({ status: 'idle' });
    const ctl = new AbortController();
    setState({ status: 'loading' });
    apiSend<Overlap>('POST', '/api/v1/segments/overlap', { ids }, { signal: ctl.signal }).then(
      (data) => setState({ status: 'ok', ids, data }),
      (e: unknown) => !ctl.signal.aborted && setState({ status: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
    return () => ctl.abort();
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps

  if (segments.length < 2) return <div className="notice">{t('seg.overlap.noSegments')}</div>;
  const byId = new Map(segments.map((s) => [s.id, s]));
  const letter = (id: string, within: string[]) => String.fromCharCode(65 + within.indexOf(id));

  return (
    <div className="overlap">
      <div className="card">
        <h2>{t('seg.overlap.title')}</h2>
        <p className="muted small">{t('seg.overlap.hint')}</p>
        <div className="overlap-pickers">
          {picked.map((p, i) => (
            <label key={i} className="inline-field">
              <span className="venn-key" style={{ background: palette[i] }}>
                {String.fromCharCode(65 + i)}
              </span>
              <select
                name={`overlap${i}`}
                value={p}
                onChange={(e) => setPicked(picked.map((x, j) => (j === i ? e.target.value : x)))}
                aria-label={t('seg.overlap.pick', { n: String.fromCharCode(65 + i) })}
              >
                <option value="">{t(i < 2 ? 'seg.overlap.choose' : 'seg.overlap.none')}</option>
                {segments.map((s) => (
                  <option key={s.id} value={s.id} disabled={picked.includes(s.id) && p !== s.id}>
                    {s.name} ({fmt.number(s.size)})
                  </option>
                ))}
              </select>
            </label>
          ))}
        </div>
        {ids.length < 2 && <p className="muted">{t('seg.overlap.needTwo')}</p>}
      </div>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorBox message={state.message} />}
      {state.status === 'ok' && (
        <div className="grid-2">
          <div className="card venn-card">
            <VennDiagram ids={state.ids} names={state.ids.map((id) => byId.get(id)?.name ?? id)} overlap={state.data} />
          </div>
          <div className="card">
            <h2>{t('seg.overlap.regions')}</h2>
            <RegionTable ids={state.ids} data={state.data} name={(id) => byId.get(id)?.name ?? id} letter={letter} />
          </div>
        </div>
      )}
    </div>
  );
}

function RegionTable({ ids, data, name, letter }: { ids: string[]; data: Overlap; name(id: string): string; letter(id: string, within: string[]): string }) {
  const { t, fmt } = useI18n();
  const union = data.regions.reduce((s, r) => s + r.count, 0);
  const max = Math.max(1, ...data.regions.map((r) => r.count));
  // single segments first, then pairs, then all three; in the chosen order
  const regions = [...data.regions].sort((a, b) => a.in.length - b.in.length || ids.indexOf(a.in[0]!) - ids.indexOf(b.in[0]!) || ids.indexOf(a.in[1]!) - ids.indexOf(b.in[1]!));
  const describe = (inside: string[]) => {
    const outside = ids.filter((id) => !inside.includes(id));
    const head = inside.length === 1 ? t('seg.overlap.only', { name: `${letter(inside[0]!, ids)} ${name(inside[0]!)}` }) : inside.map((id) => letter(id, ids)).join(' ∩ ');
    return outside.length && inside.length > 1 ? `${head} ${t('seg.overlap.excluding', { names: outside.map((id) => letter(id, ids)).join(', ') })}` : head;
  };
  return (
    <table className="table compact" data-testid="overlap-regions">
      <thead>
        <tr>
          <th>{t('seg.overlap.region')}</th>
          <th className="num">{t('col.count')}</th>
          <th className="share-col">{t('seg.overlap.shareOfUnion')}</th>
        </tr>
      </thead>
      <tbody>
        {regions.map((r) => (
          <tr key={r.in.join(',')} data-in={[...r.in].sort().join(',')} data-count={r.count}>
            <td>{describe(r.in)}</td>
            <td className="num">{fmt.number(r.count)}</td>
            <td>
              <div className="share">
                <div className="share-bar" style={{ width: `${(100 * r.count) / max}%` }} />
                <span>{union ? fmt.percent(r.count / union) : '—'}</span>
              </div>
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td>{t('seg.overlap.union')}</td>
          <td className="num" data-testid="overlap-union">
            {fmt.number(union)}
          </td>
          <td />
        </tr>
        {ids.map((id) => (
          <tr key={id} className="muted" data-size-of={id} data-size={data.sizes[id]}>
            <td>
              {letter(id, ids)} · {name(id)}
            </td>
            <td className="num">{fmt.number(data.sizes[id] ?? 0)}</td>
            <td />
          </tr>
        ))}
      </tfoot>
    </table>
  );
}
