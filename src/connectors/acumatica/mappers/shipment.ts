import { rejected } from '../../sdk/errors.js';
import { type RawShipment, str, val } from '../types.js';
import { type DocumentContext, datePart, decimal, stampOf } from './document.js';

/** $expand the mapper needs: lines, packages (tracking numbers) and the orders shipped. */
export const SHIPMENT_EXPAND = 'Details,Packages,Orders';

/** Acumatica Shipment → canonical shipment (not yet validated). */
export function shipmentFromAcumatica(raw: RawShipment, ctx: DocumentContext): Record<string, unknown> {
  const number = str(raw.ShipmentNbr);
  if (!number) throw rejected('missing_field', 'an Acumatica shipment without a ShipmentNbr was returned');
  const orders = [
    ...(raw.Details ?? []).map((d) => str(d.OrderNbr)),
    ...(raw.Orders ?? []).map((o) => str(o.OrderNbr)),
  ].filter((n): n is string => n !== undefined);
  const shipVia = str(raw.ShipVia);
  const out: Record<string, unknown> = {
    number,
    status: str(raw.Status),
    shipmentDate: datePart(raw.ShipmentDate),
    customerNumber: str(raw.CustomerID),
    orderNumbers: [...new Set(orders)],
    trackingNumbers: [
      ...new Set((raw.Packages ?? []).map((p) => str(p.TrackingNbr)).filter((t): t is string => !!t)),
    ],
    lines: (raw.Details ?? []).map((d) => ({
      orderNumber: str(d.OrderNbr),
      orderLineNumber: val(d.OrderLineNbr),
      sku: str(d.InventoryID),
      quantity: decimal(d.ShippedQty),
      unit: str(d.UOM),
    })),
    updatedAt: stampOf(raw.LastModifiedDateTime),
  };
  if (shipVia) {
    out.shipVia = shipVia;
    const carrier = ctx.shipVias.get(shipVia);
    if (carrier) out.carrier = carrier;
  }
  return out;
}
