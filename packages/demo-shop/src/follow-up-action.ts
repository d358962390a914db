/**
 * What a scheduled follow-up does when its time comes. Plain JSON (the SQLite queue stores it as text), and a
 * discriminated union so the simulator's dispatch table fails to compile when a kind is added but not handled.
 */
import type { FraudPattern } from './customer-profile.js';

export interface OrderLineRef {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: number;
}

export interface OrderRef {
  readonly orderId: string;
  readonly tenantId: string;
  readonly customerN: number;
  readonly accountId: string;
  readonly currency: string;
  readonly totalAmount: number;
  readonly shippingCountry: string;
  readonly lines: readonly OrderLineRef[];
  /** Gift-card orders (card testing) are delivered by e-mail: no stock, no shipment. */
  readonly digital?: boolean;
}

/** How the payment of an order deviates from the customer's normal behaviour. */
export interface PaymentOverride {
  readonly pattern: FraudPattern;
  readonly ipCountry: string;
  readonly ipAddress: string;
  readonly deviceId: string;
  readonly outcome?: 'authorized' | 'declined';
  readonly declineReason?: string;
}

export interface ShipmentRef {
  readonly shipmentId: string;
  readonly warehouse: string;
  readonly carrier: string;
  readonly promisedAt: string;
  readonly dispatchedAt: string;
}

export type FollowUpAction =
  | {
      readonly kind: 'click';
      readonly tenantId: string;
      readonly impressionId: string;
      readonly campaignId: string;
      readonly customerN?: number;
    }
  | {
      readonly kind: 'convert';
      readonly tenantId: string;
      readonly campaignId: string;
      readonly clickId: string;
      readonly customerN?: number;
    }
  | {
      readonly kind: 'pay';
      readonly order: OrderRef;
      readonly attempt: number;
      readonly override?: PaymentOverride;
    }
  | {
      readonly kind: 'cancel';
      readonly order: OrderRef;
      readonly reason: 'customer_request' | 'payment_declined' | 'out_of_stock';
    }
  | { readonly kind: 'fulfil'; readonly order: OrderRef; readonly paymentId: string }
  | {
      readonly kind: 'dispatch';
      readonly order: OrderRef;
      readonly paymentId: string;
      readonly shipment: ShipmentRef;
    }
  | {
      readonly kind: 'deliver';
      readonly order: OrderRef;
      readonly paymentId: string;
      readonly shipment: ShipmentRef;
    }
  | {
      readonly kind: 'refund';
      readonly order: OrderRef;
      readonly paymentId: string;
      readonly warehouse: string;
    }
  | {
      readonly kind: 'restock';
      readonly tenantId: string;
      readonly warehouse: string;
      readonly sku: string;
      readonly quantity: number;
    }
  | { readonly kind: 'habit'; readonly customerN: number }
  | {
      readonly kind: 'fraud';
      readonly pattern: FraudPattern;
      readonly victimN: number;
      readonly step: number;
    }
  | {
      readonly kind: 'account-status';
      readonly customerN: number;
      readonly accountId: string;
      readonly status: 'active' | 'frozen' | 'closed';
      readonly reason: string;
    };

export type FollowUpKind = FollowUpAction['kind'];
