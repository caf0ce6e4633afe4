import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import type { Segment, TagList } from '../../types.ts';
import { useApi } from '../../useApi.ts';

/**
 * Chooses what a report is broken down by, in the API's one-word form: '' (nothing), device, channel,
 * city_tier, tag:<code> (tags with a few values) or segment:<id>.
 */
export function BreakdownPicker({ value, onChange, segmentsOnly = false }: { value: string; onChange(v: string): void; segmentsOnly?: boolean }) {
  const { t, lang } = useI18n();
  const tags = useApi<TagList>(segmentsOnly ? null : '/api/v1/tags');
  const segments = useApi<{ segments: Segment[] }>('/api/v1/segments');
  const few = (tags.data?.tags ?? []).filter((tag) => tag.valueType === 'enum' || tag.valueType === 'boolean' || tag.valueType === 'ranked');
  return (
    <label className="breakdown-picker">
      <span>{t('analytics.breakdown')}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid="breakdown">
        <option value="">{t('analytics.breakdown.none')}</option>
        {!segmentsOnly &&
          (['device', 'channel', 'city_tier'] as const).map((b) => (
            <option key={b} value={b}>
              {t(`analytics.breakdown.${b}` as MessageKey)}
            </option>
          ))}
        {few.length > 0 && (
          <optgroup label={t('analytics.breakdown.tags')}>
            {few.map((tag) => (
              <option key={tag.code} value={`tag:${tag.code}`}>
                {lang === 'en' ? tag.name_en : tag.name_zh}
              </option>
            ))}
          </optgroup>
        )}
        {(segments.data?.segments.length ?? 0) > 0 && (
          <optgroup label={t('analytics.breakdown.segments')}>
            {segments.data!.segments.map((s) => (
              <option key={s.id} value={`segment:${s.id}`}>
                {s.name}
              </option>
            ))}
          </optgroup>
        )}
      </select>
    </label>
  );
}
