import { TagValue } from '../../components/TagValue.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { tagName } from '../../tagText.ts';
import type { ProfileTag } from '../../types.ts';

/** The purchase numbers people ask about first, picked from the person's tags. */
const KEY = ['orders_30d', 'orders_90d', 'gmv_365d', 'aov_365d', 'last_order_date', 'purchase_cycle_days', 'next_purchase_date', 'active_days_30d'];

export function KeyFigures({ tags }: { tags: ProfileTag[] }) {
  const { t, lang } = useI18n();
  const byCode = new Map(tags.map((x) => [x.code, x]));
  const shown = KEY.map((k) => byCode.get(k)).filter((x): x is ProfileTag => !!x);
  return (
    <div className="card">
      <h2>{t('profile.keyFigures')}</h2>
      {shown.length ? (
        <dl className="facts" data-testid="key-figures">
          {shown.map((x) => (
            <div key={x.code} className="fact" data-key={x.code}>
              <dt>{tagName(x, lang)}</dt>
              <dd>
                <TagValue tag={x} value={x.value} />
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="muted">{t('profile.noBuild')}</p>
      )}
    </div>
  );
}
