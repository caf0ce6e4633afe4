import { useState, type FormEvent } from 'react';
import { apiGet, ApiError } from '../../api.ts';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { useApi } from '../../useApi.ts';

interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  role: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details: Record<string, unknown>;
}
interface AuditPage {
  entries: AuditEntry[];
  next: number | null;
}
interface Filters {
  actor: string;
  action: string;
  subject: string;
  from: string;
  to: string;
}

/** The action filter: exact actions, and `tag.` / `segment.` for every change of that kind. */
const ACTIONS = ['pii.unmask', 'profile.export', 'profile.rectify', 'profile.erase', 'tag.', 'segment.', 'points.adjust'] as const;
const EMPTY: Filters = { actor: '', action: '', subject: '', from: '', to: '' };
const PAGE = 50;

/** The shop's calendar day as the API's time bounds: from the day's start, to the next day's start. */
function query(f: Filters): Record<string, string | undefined> {
  const day = (d: string, plus = 0) => (d ? new Date(Date.parse(`${d}T00:00:00`) + plus * 86_400_000).toISOString() : undefined);
  return { actor: f.actor || undefined, action: f.action || undefined, subject: f.subject || undefined, from: day(f.from), to: day(f.to, 1) };
}

/** /privacy: the audit log, searchable by actor, action, subject and dates; admins only. */
export function PrivacyPage() {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const first = useApi<AuditPage>('/api/v1/audit', { ...query(applied), limit: PAGE });
  const [more, setMore] = useState<{ key: string; entries: AuditEntry[]; next: number | null } | null>(null);
  const key = JSON.stringify(applied);
  const extra = more?.key === key ? more : null;
  const entries = [...(first.data?.entries ?? []), ...(extra?.entries ?? [])];
  const next = extra ? extra.next : first.data?.next ?? null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setApplied(draft);
  };
  const loadMore = async () => {
    if (next === null) return;
    const page = await apiGet<AuditPage>('/api/v1/audit', { ...query(applied), limit: PAGE, before: next });
    setMore({ key, entries: [...(extra?.entries ?? []), ...page.entries], next: page.next });
  };
  const field = (name: keyof Filters, type = 'text') => (
    <label className="field">
      {t(`priv.filter.${name}` as MessageKey)}
      <input name={name} type={type} value={draft[name]} onChange={(e) => setDraft({ ...draft, [name]: e.target.value })} />
    </label>
  );

  return (
    <section className="page privacy-page">
      <header className="page-head">
        <div>
          <h1>{t('priv.title')}</h1>
          <p className="muted">{t('priv.tagline')}</p>
        </div>
      </header>
      <form className="card audit-filters" onSubmit={submit} data-testid="audit-filters" style={{ display: 'flex', flexWrap: 'wrap', gap: 12, alignItems: 'end' }}>
        {field('actor')}
        <label className="field">
          {t('priv.filter.action')}
          <select name="action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
            <option value="">{t('priv.filter.anyAction')}</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {t(`priv.action.${a}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        {field('subject')}
        {field('from', 'date')}
        {field('to', 'date')}
        <button type="submit" className="btn primary">{t('priv.filter.apply')}</button>
        <button type="button" className="btn" onClick={() => (setDraft(EMPTY), setApplied(EMPTY))}>{t('priv.filter.clear')}</button>
      </form>
      <div className="card">
        {first.status === 'error' ? (
          first.error instanceof ApiError && first.error.status === 403 ? (
            <p className="state error" role="alert">{t('priv.needsAdmin')}</p>
          ) : (
            <ErrorBox message={first.error.message} onRetry={first.reload} />
          )
        ) : !first.data ? (
          <Loading />
        ) : entries.length === 0 ? (
          <p className="muted" data-testid="audit-empty">{t('priv.empty')}</p>
        ) : (
          <>
            <div className="table-wrap">
              <table className="table compact" data-testid="audit-table">
                <thead>
                  <tr>
                    <th>{t('priv.col.at')}</th>
                    <th>{t('priv.col.actor')}</th>
                    <th>{t('priv.col.role')}</th>
                    <th>{t('priv.col.action')}</th>
                    <th>{t('priv.col.subject')}</th>
                    <th>{t('priv.col.details')}</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e) => (
                    <AuditRow key={e.id} entry={e} />
                  ))}
                </tbody>
              </table>
            </div>
            <p className="muted">
              {t('priv.count', { n: entries.length })} · {t('priv.pseudonym')}
            </p>
            {next !== null && (
              <button type="button" className="btn" onClick={() => void loadMore()} data-testid="audit-more">
                {t('priv.more')}
              </button>
            )}
          </>
        )}
      </div>
      <p className="muted">{t('priv.rights')}</p>
    </section>
  );
}

function AuditRow({ entry: e }: { entry: AuditEntry }) {
  const { fmt } = useI18n();
  // a person's pseudonym is 64 hex digits: shortened, the full value in the tooltip
  const subject = e.subjectType === 'person' && e.subjectId.length > 16 ? `${e.subjectId.slice(0, 12)}…` : e.subjectId;
  return (
    <tr data-action={e.action}>
      <td className="num">{fmt.dateTime(e.at)}</td>
      <td>{e.actor}</td>
      <td>{e.role}</td>
      <td><code>{e.action}</code></td>
      <td title={e.subjectId}>
        <span className="muted">{e.subjectType}</span> {subject}
      </td>
      <td className="small">{describe(e.details)}</td>
    </tr>
  );
}

/** Details as `key: value` pairs; a nested count map (an erasure's stores) lists only what is not zero. */
function describe(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const parts = Object.entries(v as Record<string, unknown>).filter(([, n]) => n !== 0).map(([s, n]) => `${s} ${String(n)}`);
        return `${k}: ${parts.join(', ') || '0'}`;
      }
      return `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`;
    })
    .join(' · ');
}
