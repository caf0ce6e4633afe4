import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { apiGet } from '../../api.ts';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { navigate, useLocation } from '../../router.ts';
import { codesOf, enumLabel, tagName } from '../../tagText.ts';
import type { Profile, Tag, TagList, UserHit } from '../../types.ts';
import { useApi } from '../../useApi.ts';
import { rememberSearch } from './lastSearch.ts';
import { SearchResults } from './SearchResults.tsx';

export const SEARCH_LIMIT = 50;

function searchPath(q: string, tag: string, value: string): string {
  const s = new URLSearchParams();
  if (q) s.set('q', q);
  if (tag) s.set('tag', tag);
  if (tag && value) s.set('value', value);
  const qs = s.toString();
  return `/profiles${qs ? `?${qs}` : ''}`;
}

/**
 * Find people: by userId prefix and/or a tag value. The query lives in the address
 * (/profiles?q=…&tag=…&value=…); a full userId or an anonymous id opens that profile directly.
 */
export function UserSearch() {
  const { t, lang } = useI18n();
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const tag = search.get('tag') ?? '';
  const value = search.get('value') ?? '';
  const [input, setInput] = useState(q);
  const [tagInput, setTagInput] = useState(tag);
  const [valueInput, setValueInput] = useState(value);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setInput(q);
    setTagInput(tag);
    setValueInput(value);
  }, [q, tag, value]);

  const catalog = useApi<TagList>('/api/v1/tags');
  const filterable = useMemo(
    () => (catalog.data?.tags ?? []).filter((x) => x.status === 'active' && x.valueType !== 'ranked'),
    [catalog.data],
  );
  const chosen = filterable.find((x) => x.code === tagInput);
  const active = q !== '' || tag !== '';
  useEffect(() => rememberSearch(searchPath(q, tag, value)), [q, tag, value]);
  const results = useApi<{ users: UserHit[] }>(active ? '/api/v1/profiles' : null, { q, tag, value: tag ? value : undefined, limit: SEARCH_LIMIT });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const id = input.trim();
    if (id && !tagInput) {
      // a lookup: a known userId (or an anonymous id the server resolves) opens the profile
      setBusy(true);
      try {
        const hits = await apiGet<{ users: UserHit[] }>('/api/v1/profiles', { q: id, limit: SEARCH_LIMIT }).catch(() => null);
        const exact = hits?.users.some((u) => u.userId === id);
        const direct = exact || (!hits?.users.length && (await apiGet<Profile>(`/api/v1/profiles/${encodeURIComponent(id)}`).then(() => true, () => false)));
        if (direct) return navigate(`/profiles/${encodeURIComponent(id)}`);
      } finally {
        setBusy(false);
      }
    }
    navigate(searchPath(id, tagInput, valueInput.trim()));
  }

  return (
    <section className="page">
      <header className="page-head">
        <div>
          <h1>{t('search.title')}</h1>
          <p className="muted">{t('search.hint')}</p>
        </div>
      </header>
      <form className="card search-form" onSubmit={submit}>
        <div className="lookup">
          <input value={input} onChange={(e) => setInput(e.target.value)} placeholder={t('profile.placeholder')} aria-label={t('search.q')} spellCheck={false} name="q" />
          <button type="submit" className="btn primary" disabled={busy || (!input.trim() && !tagInput)}>
            {t('search.submit')}
          </button>
        </div>
        <div className="search-filter">
          <label>
            <span>{t('search.tag')}</span>
            <select value={tagInput} onChange={(e) => (setTagInput(e.target.value), setValueInput(''))} name="tag" aria-label={t('search.tag')}>
              <option value="">{t('search.anyTag')}</option>
              {filterable.map((x) => (
                <option key={x.code} value={x.code}>
                  {tagName(x, lang)} · {x.code}
                </option>
              ))}
            </select>
          </label>
          {chosen && <ValuePicker tag={chosen} value={valueInput} onChange={setValueInput} />}
          {active && (
            <button type="button" className="btn ghost" onClick={() => navigate('/profiles')}>
              {t('search.clear')}
            </button>
          )}
        </div>
      </form>
      {!active && <p className="muted">{t('search.idle')}</p>}
      {active && results.status === 'loading' && <Loading />}
      {active && results.status === 'error' && <ErrorBox message={results.error.message} onRetry={results.reload} />}
      {active && results.status === 'ok' && <SearchResults users={results.data.users} limit={SEARCH_LIMIT} catalog={catalog.data?.tags ?? []} />}
    </section>
  );

}

/** The value to filter a tag by: yes/no for booleans, the labelled codes of a coded enum, or free text. */
function ValuePicker({ tag, value, onChange }: { tag: Tag; value: string; onChange(v: string): void }) {
  const { t, lang } = useI18n();
  const codes = tag.valueType === 'boolean' ? ['true', 'false'] : tag.labels ? Object.keys(tag.labels) : codesOf(tag.code);
  if (codes) {
    return (
      <label>
        <span>{t('search.value')}</span>
        <select value={value} onChange={(e) => onChange(e.target.value)} name="value" aria-label={t('search.value')}>
          <option value="">{t('search.anyValue')}</option>
          {codes.map((c) => (
            <option key={c} value={c}>
              {tag.valueType === 'boolean' ? t(c === 'true' ? 'value.true' : 'value.false') : enumLabel(tag.code, c, t, tag.labels, lang)}
            </option>
          ))}
        </select>
      </label>
    );
  }
  return (
    <label>
      <span>{t('search.value')}</span>
      <input value={value} onChange={(e) => onChange(e.target.value)} name="value" placeholder={t('search.anyValue')} aria-label={t('search.value')} />
    </label>
  );
}
