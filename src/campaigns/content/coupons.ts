import { createHash } from 'node:crypto';
import { CouponInputError, TemplateNotFoundError, type CouponStore } from '../../loyalty/index.ts';
import type { OltpStore } from '../../store/oltp/index.ts';
import type { Content, OutgoingMessage, RenderedMessage } from '../types.ts';

const SYSTEM = { actor: 'system:campaigns', role: 'system' };

/**
 * The loyalty coupon template a message's coupon comes from: one per (value, category, validity), shared
 * by every campaign and journey that gives the same coupon, so its stats (docs/loyalty.md) show what
 * such coupons cost and earn. Amount off, no minimum spend, no stock limit (the campaign's coupon budget
 * is the limit); created on first use.
 */
async function templateFor(coupons: CouponStore, c: NonNullable<Content['coupon']>): Promise<string> {
  const id = `mk_${createHash('sha1').update(`${c.value}|${c.category ?? ''}|${c.validDays}`).digest('hex').slice(0, 16)}`;
  try {
    await coupons.template(id);
    return id;
  } catch (err) {
    if (!(err instanceof TemplateNotFoundError)) throw err;
  }
  const where = c.category ? ` · ${c.category}` : '';
  try {
    await coupons.createTemplate({
      id, name: `营销券 Marketing coupon ¥${c.value}${where} · ${c.validDays}d`, kind: 'amount_off', amount: c.value, percent: null, minSpend: 0,
      maxDiscount: null, validFrom: null, validUntil: null, validDays: c.validDays, perUserLimit: 1000, stock: null,
    }, SYSTEM);
  } catch (err) {
    // another delivery created it at the same moment
    if (!(err instanceof CouponInputError && err.field === 'id')) throw err;
  }
  return id;
}

/**
 * The coupon a message carries, issued once: the first render issues it through the loyalty coupons (to
 * the person, so an order that carries the code redeems it) and records it against the message id in
 * `message_coupons`; a retried or re-rendered message gets the same code back.
 */
export async function issueMessageCoupon(
  d: { oltp: OltpStore; coupons: CouponStore },
  msg: Pick<OutgoingMessage, 'id' | 'personId' | 'campaignId' | 'journeyId'>,
  c: NonNullable<Content['coupon']>,
): Promise<NonNullable<RenderedMessage['coupon']>> {
  const known = await findMessageCoupon(d.oltp, msg.id);
  if (known) return known;
  const templateId = await templateFor(d.coupons, c);
  const ref = msg.campaignId ?? (msg.journeyId ? `journey:${msg.journeyId}` : msg.id);
  const r = await d.coupons.issue(templateId, [msg.personId], { kind: 'campaign', ref }, SYSTEM);
  const code = r.codes?.[0]?.code;
  if (!code) throw new Error(`coupon not issued for message ${msg.id}: ${r.overLimit ? 'over the per-person limit' : 'out of stock'}`);
  const [row] = await d.oltp.query<{ valid_until: string | Date | null }>('SELECT valid_until FROM coupons WHERE code = $1', [code]);
  const expiresAt = row?.valid_until ? new Date(row.valid_until).toISOString() : new Date(Date.now() + c.validDays * 86_400_000).toISOString();
  const coupon = { code, value: c.value, ...(c.category ? { category: c.category } : {}), expiresAt };
  const [kept] = await d.oltp.query<{ coupon: NonNullable<RenderedMessage['coupon']> }>(
    `INSERT INTO message_coupons (message_id, code, coupon) VALUES ($1, $2, $3) ON CONFLICT (message_id) DO UPDATE SET message_id = EXCLUDED.message_id RETURNING coupon`,
    [msg.id, code, JSON.stringify(coupon)],
  );
  return kept!.coupon;
}

export async function findMessageCoupon(db: OltpStore, messageId: string): Promise<NonNullable<RenderedMessage['coupon']> | null> {
  const [row] = await db.query<{ coupon: NonNullable<RenderedMessage['coupon']> }>('SELECT coupon FROM message_coupons WHERE message_id = $1', [messageId]);
  return row?.coupon ?? null;
}
