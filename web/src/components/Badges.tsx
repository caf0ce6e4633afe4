import { useI18n, type MessageKey } from '../i18n/index.tsx';
import type { TagKind, ValueType } from '../types.ts';

/** Small labels for a tag's kind, value type and status. */

export function KindBadge({ kind }: { kind: TagKind }) {
  const { t } = useI18n();
  return <span className={`tbadge kind-${kind}`} data-kind={kind}>{t(`kind.${kind}` as MessageKey)}</span>;
}

export function TypeBadge({ valueType }: { valueType: ValueType }) {
  const { t } = useI18n();
  return <span className="tbadge vt" data-value-type={valueType}>{t(`vt.${valueType}` as MessageKey)}</span>;
}

export function StatusBadges({ status, builtin }: { status: 'active' | 'deprecated'; builtin: boolean }) {
  const { t } = useI18n();
  return (
    <>
      {builtin && <span className="tbadge builtin">{t('tag.builtin')}</span>}
      {status === 'deprecated' && <span className="tbadge deprecated">{t('status.deprecated')}</span>}
    </>
  );
}
