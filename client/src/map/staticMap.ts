import { CLIENTS_NODE } from '../../../shared/schema/flow';
import type { Language } from '../../../shared/schema/common';
import type { BoardSnapshot } from '../sync/types';
import { buildMapModel, nodeIdsOf, type Translate } from './build';
import { frameFor, layoutMap } from './layout';
import { NODE_RADIUS, type MapLayer } from './model';
import { renderMapSvg } from './svg';

/**
 * The value-network map as a standalone SVG, laid out exactly as the map view lays it out
 * (stored positions first, the same seeded force layout for the rest): for the memo.
 */
export function staticMapSvg(board: BoardSnapshot, layer: MapLayer, language: Language, t: Translate): string {
  const ids = nodeIdsOf(board.room.actors);
  const frame = frameFor(ids.length, board.analysis.flows.length);
  const edges = board.analysis.flows.map((f) => ({ from: f.from, to: f.to }));
  const positions = layoutMap(ids.map((id) => ({ id, radius: NODE_RADIUS })), edges, board.analysis.mapLayout, { frame, centerId: CLIENTS_NODE, seed: 1 });
  return renderMapSvg(
    buildMapModel(
      { title: board.room.meta?.title ?? '', actors: board.room.actors, flows: board.analysis.flows, layer, positions, frame, selected: new Set(), language, canMove: false, interactive: false },
      t,
    ),
  );
}
