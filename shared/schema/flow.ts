import { z } from 'zod';
import { idSchema } from './common';

/**
 * A value flow on the value-network map (Kuvio 9): from one node to another, tangible (services,
 * money) or intangible (knowledge, expertise), in the current network or the future one. Nodes
 * are actor ids or `clients` (clients / residents).
 */
export const CLIENTS_NODE = 'clients';
export const flowNodeSchema = z.union([idSchema, z.literal(CLIENTS_NODE)]);
export const FLOW_KINDS = ['tangible', 'intangible'] as const;
export const FLOW_LAYERS = ['current', 'future'] as const;
/**
 * The ways the map can be drawn: one layer, both layers together, or the difference between
 * them. The facilitator chooses one for the memo (`session.memoMap`).
 */
export const MAP_VIEWS = ['current', 'future', 'both', 'difference'] as const;
export type MapView = (typeof MAP_VIEWS)[number];
export const mapViewSchema = z.enum(MAP_VIEWS);
/** The memo's map when the facilitator has not chosen one. */
export const DEFAULT_MEMO_MAP: MapView = 'both';

export const flowSchema = z.object({
  id: idSchema,
  from: flowNodeSchema,
  to: flowNodeSchema,
  kind: z.enum(FLOW_KINDS).default('intangible'),
  layer: z.enum(FLOW_LAYERS),
  label: z.string().max(200).default(''),
  /** The notes the flow stands for (noteRefs), for provenance. */
  noteRefs: z.array(z.string()).default([]),
});
export type Flow = z.infer<typeof flowSchema>;
export type FlowNode = z.infer<typeof flowNodeSchema>;
