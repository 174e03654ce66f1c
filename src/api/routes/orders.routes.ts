/**
 * Products (global catalogue: everyone reads, internal admins write) and orders of a case.
 * Prices come from the catalogue and totals are computed in SQL with numeric arithmetic: the
 * client never sends amounts. Tax: practices.settings.tax_rate_percent (default 0).
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/database';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { decodeCursor, encodeCursor, isoReq, myPracticeRole, page, ZIdParams, ZJsonObject, ZMoney, ZOrderState, ZPageQuery, ZProductCategory, ZTimestamp, ZUuid, ZName, ZText } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import { loadCase } from './cases.routes';

export const ZProduct = z
  .object({
    id: ZUuid,
    name: z.string(),
    description: z.string().nullable(),
    category: ZProductCategory,
    basePrice: ZMoney,
    customizableOptions: ZJsonObject,
    active: z.boolean(),
  })
  .openapi('Product');
export type TProduct = z.infer<typeof ZProduct>;

export const ZCreateProductBody = z
  .object({
    name: ZName(200),
    description: ZText({ max: 5000 }).nullable().optional(),
    category: ZProductCategory,
    basePrice: ZMoney,
    customizableOptions: ZJsonObject.optional(),
    active: z.boolean().optional(),
  })
  .openapi('CreateProductBody');
export type TCreateProductBody = z.infer<typeof ZCreateProductBody>;

export const ZOrderItem = z.object({
  id: ZUuid,
  productId: ZUuid,
  productName: z.string().nullable(),
  quantity: z.number().int(),
  unitPrice: ZMoney,
  totalPrice: ZMoney,
  customizations: ZJsonObject,
});
export const ZOrderStateChange = z.object({ fromState: ZOrderState.nullable(), toState: ZOrderState, changedBy: ZUuid, reason: z.string().nullable(), at: ZTimestamp });

export const ZOrder = z
  .object({
    id: ZUuid,
    caseId: ZUuid,
    practiceId: ZUuid,
    orderNumber: z.string(),
    state: ZOrderState,
    subtotal: ZMoney,
    taxAmount: ZMoney,
    totalAmount: ZMoney,
    currency: z.string(),
    notes: z.string().nullable(),
    items: z.array(ZOrderItem),
    history: z.array(ZOrderStateChange),
    createdAt: ZTimestamp,
    updatedAt: ZTimestamp,
  })
  .openapi('Order');
export type TOrder = z.infer<typeof ZOrder>;

export const ZCreateOrderBody = z
  .object({
    items: z
      .array(z.object({ productId: ZUuid, quantity: z.number().int().min(1).max(10_000), customizations: ZJsonObject.optional() }))
      .min(1)
      .max(100),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    notes: ZText({ max: 5000 }).optional(),
  })
  .openapi('CreateOrderBody');
export type TCreateOrderBody = z.infer<typeof ZCreateOrderBody>;

const toProduct = (r: { id: string; name: string; description: string | null; category: TProduct['category']; base_price: string; customizable_options: unknown; active: boolean }): TProduct => ({
  id: r.id,
  name: r.name,
  description: r.description,
  category: r.category,
  basePrice: r.base_price,
  customizableOptions: (r.customizable_options as Record<string, unknown>) ?? {},
  active: r.active,
});

async function loadOrder(trx: Tx, id: string): Promise<TOrder> {
  const o = await trx.selectFrom('orders').selectAll().select(sql<string>`created_at::text`.as('created_at_text')).where('id', '=', id).executeTakeFirst();
  if (!o) throw ApiError.notFound('Order');
  ctx().practiceId = o.practice_id;
  const items = await trx
    .selectFrom('order_items as i')
    .leftJoin('products as p', 'p.id', 'i.product_id')
    .select(['i.id', 'i.product_id', 'p.name', 'i.quantity', 'i.unit_price', 'i.total_price', 'i.customizations'])
    .where('i.order_id', '=', id)
    .orderBy('i.created_at')
    .orderBy('i.id')
    .execute();
  const history = await trx.selectFrom('order_states').select(['from_state', 'to_state', 'changed_by', 'reason', 'created_at']).where('order_id', '=', id).orderBy('created_at').orderBy('id').execute();
  return {
    id: o.id,
    caseId: o.case_id,
    practiceId: o.practice_id,
    orderNumber: o.order_number,
    state: o.current_state,
    subtotal: o.subtotal,
    taxAmount: o.tax_amount,
    totalAmount: o.total_amount,
    currency: o.currency,
    notes: o.notes,
    items: items.map((i) => ({
      id: i.id,
      productId: i.product_id,
      productName: i.name,
      quantity: i.quantity,
      unitPrice: i.unit_price,
      totalPrice: i.total_price,
      customizations: (i.customizations as Record<string, unknown>) ?? {},
    })),
    history: history.map((h) => ({ fromState: h.from_state, toState: h.to_state, changedBy: h.changed_by, reason: h.reason, at: isoReq(h.created_at) })),
    createdAt: isoReq(o.created_at),
    updatedAt: isoReq(o.updated_at),
  };
}

/** The catalogue's bound, stated in GET /products' description. */
const PRODUCT_LIST_MAX = 1000;

export function orderRoutes(kit: RouteKit, _s: ApiServices): void {
  route(kit, {
    method: 'get',
    path: '/products',
    tags: ['orders'],
    summary: 'The product catalogue (one answer, by name; at most 1,000 products)',
    description:
      'The whole catalogue in one answer, by name, at most 1,000 products. Not paged on purpose: the catalogue is the lab’s own list of what it makes, written by internal admins only (`POST /products`), tens of products in practice, and order forms want all of it at once.',
    query: z.object({ category: ZProductCategory.optional(), includeInactive: z.enum(['true', 'false']).optional() }),
    response: z.object({ items: z.array(ZProduct) }).openapi('ProductList'),
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        let qb = trx.selectFrom('products').select(['id', 'name', 'description', 'category', 'base_price', 'customizable_options', 'active']).orderBy('name').orderBy('id').limit(PRODUCT_LIST_MAX);
        if (query.category) qb = qb.where('category', '=', query.category);
        if (query.includeInactive !== 'true') qb = qb.where('active', '=', true);
        return { items: (await qb.execute()).map(toProduct) };
      }),
  });

  route(kit, {
    method: 'get',
    path: '/products/:id',
    tags: ['orders'],
    summary: 'One product',
    params: ZIdParams,
    response: ZProduct,
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        const r = await trx.selectFrom('products').select(['id', 'name', 'description', 'category', 'base_price', 'customizable_options', 'active']).where('id', '=', params.id).executeTakeFirst();
        if (!r) throw ApiError.notFound('Product');
        return toProduct(r);
      }),
  });

  route(kit, {
    method: 'post',
    path: '/products',
    tags: ['orders'],
    summary: 'Add a product (internal admins)',
    body: ZCreateProductBody,
    status: 201,
    response: ZProduct,
    errors: [403],
    idempotent: true,
    handler: ({ body }) =>
      ctx().db(async (trx) => {
        const r = await trx
          .insertInto('products')
          .values({
            name: body.name,
            description: body.description ?? null,
            category: body.category,
            base_price: body.basePrice,
            customizable_options: JSON.stringify(body.customizableOptions ?? {}),
            active: body.active ?? true,
          })
          .returning(['id', 'name', 'description', 'category', 'base_price', 'customizable_options', 'active'])
          .executeTakeFirstOrThrow();
        return toProduct(r);
      }),
  });

  route(kit, {
    method: 'post',
    path: '/cases/:id/orders',
    tags: ['orders'],
    summary: 'Order products for a case; prices and totals are computed by the server',
    params: ZIdParams,
    body: ZCreateOrderBody,
    status: 201,
    response: ZOrder,
    description: 'By members of the case\'s practice: lab staff read orders but do not place them (403 not_a_member).',
    errors: [403, 409, 422],
    idempotent: true,
    handler: ({ params, body }) =>
      ctx().db(async (trx) => {
        const kase = await loadCase(trx, params.id);
        // Lab staff see the case (0040) but an order is the practice's purchase: refused by name here
        // rather than by RLS on the insert (an undocumented 403 from the database).
        if (!(await myPracticeRole(trx, kase.practice_id))) throw new ApiError(403, 'not_a_member', 'Only members of the practice order products for its cases.');
        const productIds = [...new Set(body.items.map((i) => i.productId))];
        const products = await trx.selectFrom('products').select('id').where('id', 'in', productIds).where('active', '=', true).execute();
        const missing = productIds.filter((id) => !products.some((p) => p.id === id));
        if (missing.length) {
          throw new ApiError(
            422,
            'invalid_argument',
            'Some products do not exist or are not available.',
            missing.map((id) => ({ field: `items.${body.items.findIndex((i) => i.productId === id)}.productId`, message: `product ${id} is not available` })),
          );
        }
        // Order numbers are allocated per practice under a transaction-scoped lock.
        await sql`select pg_advisory_xact_lock(hashtext(${`orders:${kase.practice_id}`}))`.execute(trx);
        const next = await sql<{ n: string }>`
          select 'O-' || lpad((coalesce(max(substring(order_number from '^O-(\\d+)$')::int), 0) + 1)::text, 6, '0') as n
          from orders where practice_id = ${kase.practice_id} and order_number ~ '^O-\\d+$'`.execute(trx);
        const order = await trx
          .insertInto('orders')
          .values({ case_id: kase.id, practice_id: kase.practice_id, order_number: next.rows[0]!.n, currency: body.currency ?? 'USD', notes: body.notes ?? null })
          .returning('id')
          .executeTakeFirstOrThrow();
        for (const item of body.items) {
          await trx
            .insertInto('order_items')
            .columns(['order_id', 'practice_id', 'product_id', 'quantity', 'unit_price', 'total_price', 'customizations', 'created_at'])
            .expression((eb) =>
              eb
                .selectFrom('products as p')
                .select([
                  eb.val(order.id).as('order_id'),
                  eb.val(kase.practice_id).as('practice_id'),
                  'p.id',
                  eb.val(item.quantity).as('quantity'),
                  'p.base_price',
                  sql`p.base_price * ${item.quantity}`.as('total_price'),
                  sql`${JSON.stringify(item.customizations ?? {})}::jsonb`.as('customizations'),
                  // now() is the same for the whole transaction: keep the items in the order sent.
                  sql`clock_timestamp()`.as('created_at'),
                ])
                .where('p.id', '=', item.productId),
            )
            .execute();
        }
        await sql`
          update orders o set
            subtotal = t.subtotal,
            tax_amount = round(t.subtotal * t.rate / 100, 2),
            total_amount = t.subtotal + round(t.subtotal * t.rate / 100, 2)
          from (
            select coalesce(sum(i.total_price), 0) as subtotal,
                   coalesce((select nullif(pr.settings->>'tax_rate_percent', '')::numeric from practices pr where pr.id = ${kase.practice_id}), 0) as rate
            from order_items i where i.order_id = ${order.id}
          ) t
          where o.id = ${order.id}`.execute(trx);
        await trx
          .insertInto('order_states')
          .values({ order_id: order.id, practice_id: kase.practice_id, from_state: null, to_state: 'pending', changed_by: ctx().actor!.profileId, reason: 'order placed' })
          .execute();
        return loadOrder(trx, order.id);
      }),
  });

  route(kit, {
    method: 'get',
    path: '/orders',
    tags: ['orders'],
    summary: 'Orders (newest first), by case, practice or state',
    query: ZPageQuery.extend({ caseId: ZUuid.optional(), practiceId: ZUuid.optional(), state: ZOrderState.optional() }),
    response: page(ZOrder, 'OrderPage'),
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const cursor = decodeCursor(query.cursor);
        let qb = trx.selectFrom('orders').select(['id', sql<string>`created_at::text`.as('created_at_text')]).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1);
        if (query.caseId) qb = qb.where('case_id', '=', query.caseId);
        if (query.practiceId) qb = qb.where('practice_id', '=', query.practiceId);
        if (query.state) qb = qb.where('current_state', '=', query.state);
        if (cursor) qb = qb.where(sql<boolean>`(created_at, id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`);
        const rows = await qb.execute();
        const pageRows = rows.slice(0, query.limit);
        const items: TOrder[] = [];
        for (const r of pageRows) items.push(await loadOrder(trx, r.id));
        const last = pageRows.at(-1);
        return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last.created_at_text, last.id) : null };
      }),
  });

  route(kit, {
    method: 'get',
    path: '/orders/:id',
    tags: ['orders'],
    summary: 'An order with its items and state history',
    params: ZIdParams,
    response: ZOrder,
    handler: ({ params }) => ctx().db((trx) => loadOrder(trx, params.id)),
  });
}
