import type { CallOptions, Callback, Order, Product, Properties } from './types.js';

/** Helper name → Segment e-commerce v2 event name (the names src/events/ecommerce.ts understands natively). */
export const ecommerceEvents = {
  productsSearched: 'Products Searched',
  productListViewed: 'Product List Viewed',
  productClicked: 'Product Clicked',
  productViewed: 'Product Viewed',
  productAdded: 'Product Added',
  productRemoved: 'Product Removed',
  cartViewed: 'Cart Viewed',
  checkoutStarted: 'Checkout Started',
  checkoutStepViewed: 'Checkout Step Viewed',
  checkoutStepCompleted: 'Checkout Step Completed',
  paymentInfoEntered: 'Payment Info Entered',
  orderCompleted: 'Order Completed',
  orderUpdated: 'Order Updated',
  orderRefunded: 'Order Refunded',
  orderCancelled: 'Order Cancelled',
  couponApplied: 'Coupon Applied',
  couponRemoved: 'Coupon Removed',
  productAddedToWishlist: 'Product Added to Wishlist',
  productRemovedFromWishlist: 'Product Removed from Wishlist',
  productShared: 'Product Shared',
  productReviewed: 'Product Reviewed',
  promotionViewed: 'Promotion Viewed',
  promotionClicked: 'Promotion Clicked',
} as const;

type Helper<P> = (properties: P, options?: CallOptions | Callback, callback?: Callback) => void;
type ProductEvents = 'productClicked' | 'productViewed' | 'productAdded' | 'productRemoved' | 'productAddedToWishlist' | 'productRemovedFromWishlist';
type OrderEvents = 'cartViewed' | 'checkoutStarted' | 'orderCompleted' | 'orderUpdated' | 'orderRefunded' | 'orderCancelled';

export type Ecommerce = { [K in ProductEvents]: Helper<Product> } & { [K in OrderEvents]: Helper<Order> } & {
  productsSearched: Helper<{ query: string } & Properties>;
  productListViewed: Helper<{ list_id?: string; category?: string; products?: Product[] } & Properties>;
  checkoutStepViewed: Helper<{ checkout_id?: string; step: number } & Properties>;
  checkoutStepCompleted: Helper<{ checkout_id?: string; step: number } & Properties>;
  paymentInfoEntered: Helper<{ checkout_id?: string; order_id?: string; payment_method?: string } & Properties>;
  couponApplied: Helper<{ coupon_id?: string; coupon_name?: string; order_id?: string; discount?: number } & Properties>;
  couponRemoved: Helper<{ coupon_id?: string; coupon_name?: string; order_id?: string } & Properties>;
  productShared: Helper<Product & { share_via?: string; share_message?: string; recipient?: string }>;
  productReviewed: Helper<{ product_id: string; review_id?: string; review_body?: string; rating?: number } & Properties>;
  promotionViewed: Helper<{ promotion_id?: string; creative?: string; name?: string; position?: string } & Properties>;
  promotionClicked: Helper<{ promotion_id?: string; creative?: string; name?: string; position?: string } & Properties>;
};

/** One helper per event: `productViewed(p)` is `track('Product Viewed', p)`. */
export function ecommerce(track: (event: string, ...rest: unknown[]) => void): Ecommerce {
  const out: Record<string, (...a: unknown[]) => void> = {};
  for (const [helper, event] of Object.entries(ecommerceEvents)) out[helper] = (...a) => track(event, ...a);
  return out as unknown as Ecommerce;
}
