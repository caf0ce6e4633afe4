import { useI18n } from '../../i18n/index.tsx';
import type { Segment } from '../../types.ts';

/** 动态 / 静态: whether membership follows a rule or a list of ids. */
export function SegmentKindBadge({ kind }: { kind: Segment['kind'] }) {
  const { t } = useI18n();
  return (
    <span className={`tbadge seg-kind-${kind}`} data-kind={kind}>
      {t(kind === 'dynamic' ? 'seg.kind.dynamic' : 'seg.kind.static')}
    </span>
  );
}
