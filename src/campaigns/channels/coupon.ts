import type { OltpStore } from '../../store/oltp/index.ts';
import { findMessageCoupon } from '../content/coupons.ts';
import type { ChannelAdapter, DeliveryResult, RenderedMessage } from '../types.ts';
import { refuse } from './http.ts';

/**
 * Coupon issuance as a channel: the message *is* the coupon. The coupon is issued through the loyalty
 * coupons (src/loyalty/coupons.ts) when the message is rendered — once per message, to the person, so
 * the order that carries the code redeems it — and sending confirms the issued code (the provider id).
 * The shop shows it in the person's coupon list (`GET /api/v1/loyalty/accounts/:userId/coupons`).
 */
export class CouponChannel implements ChannelAdapter {
  readonly name = 'coupon' as const;
  readonly ratePerSecond: number;

  constructor(private readonly d: { oltp: OltpStore; ratePerSecond?: number }) {
    this.ratePerSecond = d.ratePerSecond ?? 1000;
  }

  async send(msg: RenderedMessage): Promise<DeliveryResult> {
    if (!msg.coupon) return refuse('a coupon message needs content.coupon (value, validDays)');
    try {
      const issued = await findMessageCoupon(this.d.oltp, msg.id);
      if (!issued || issued.code !== msg.coupon.code) return refuse(`coupon ${msg.coupon.code} was not issued for message ${msg.id}`);
      return { ok: true, providerId: issued.code };
    } catch (err) {
      return { ok: false, retryable: true, error: `coupons: ${(err as Error).message}` };
    }
  }
}
