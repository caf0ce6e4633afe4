import type { EventRow, Message, Product } from '../../events/index.ts';
import type { Normalised } from './normalise.ts';
import type { PiiCipher } from './protect.ts';
import { protectContext, protectProperties, protectTraits } from './protect.ts';

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Flattens a normalised message into the events table's typed columns; PII is protected on the way. */
export function toRow(n: Normalised, cipher: PiiCipher, writeKeyId: string): EventRow {
  const m = n.message as Message & Record<string, unknown>;
  const ctx = m.context ?? {};
  const traitsIn = m.type === 'identify' || m.type === 'group' ? m.traits : (ctx.traits as Record<string, unknown> | undefined);
  // the context.traits an SDK repeats on every call may reuse a value sealed a moment ago (protect.ts)
  const p = protectTraits(traitsIn, ctx.ip, cipher, undefined, m.type !== 'identify' && m.type !== 'group');
  // personal data in properties and context (a phone number in a search, an address in a note) is
  // masked, encrypted or dropped as the field classification says (src/privacy/classification.ts)
  const props = protectProperties((m.type === 'track' || m.type === 'page' || m.type === 'screen' ? (m.properties ?? {}) : {}) as Record<string, unknown>, cipher, p.pii);
  const { ip: _ip, traits: _traits, ...contextRaw } = ctx as Record<string, unknown>;
  const contextRest = protectContext(contextRaw);
  const products = Array.isArray(props.products) ? (props.products as Product[]) : [];
  const anonymousId = m.anonymousId ?? '';
  const userId = m.userId ?? '';
  return {
    message_id: n.messageId,
    type: m.type,
    event: m.type === 'track' ? m.event : m.type === 'page' || m.type === 'screen' ? str(m.name) : '',
    distinct_id: anonymousId || userId,
    anonymous_id: anonymousId,
    user_id: userId,
    timestamp: n.timestamp,
    original_timestamp: n.originalTimestamp,
    sent_at: n.sentAt,
    received_at: n.receivedAt,
    session_id: str(ctx.sessionId ?? props.session_id),
    product_id: str(props.product_id ?? (products.length === 1 ? products[0]!.product_id : '')),
    order_id: str(props.order_id),
    category: str(props.category),
    brand: str(props.brand),
    price: num(props.price),
    quantity: num(props.quantity),
    revenue: num(props.revenue ?? props.total),
    discount: num(props.discount),
    coupon: str(props.coupon),
    currency: str(props.currency).toUpperCase(),
    query: str(props.query),
    rating: num(props.rating) === null ? null : Math.round(props.rating as number),
    share_to: str(props.recipient),
    products: products.map((x) => ({
      product_id: str(x.product_id ?? x.sku),
      category: str(x.category),
      brand: str(x.brand),
      price: num(x.price) ?? 0,
      quantity: num(x.quantity) ?? 1,
    })),
    page_url: str(props.url ?? ctx.page?.url),
    page_path: str(props.path ?? ctx.page?.path),
    referrer: str(props.referrer ?? ctx.page?.referrer),
    utm_source: str(ctx.campaign?.source),
    utm_medium: str(ctx.campaign?.medium),
    utm_campaign: str(ctx.campaign?.name),
    device_type: str(ctx.device?.type),
    os_name: str(ctx.os?.name),
    locale: str(ctx.locale),
    timezone: str(ctx.timezone),
    ip_masked: p.ipMasked,
    user_agent: str(ctx.userAgent),
    library: str(ctx.library?.name),
    properties: JSON.stringify(props),
    context: JSON.stringify(contextRest),
    traits: Object.keys(p.traits).length ? JSON.stringify(p.traits) : '',
    pii: Object.keys(p.pii).length ? JSON.stringify(p.pii) : '',
    email_hash: p.emailHash,
    phone_hash: p.phoneHash,
    previous_id: m.type === 'alias' ? m.previousId : '',
    group_id: m.type === 'group' ? m.groupId : '',
    write_key_id: writeKeyId,
  };
}
