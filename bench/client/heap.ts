/**
 * Diagnostics behind docs/client-benchmark.md (not a benchmark): where a page's JS heap goes, by
 * owner. `tsx bench/client/heap.ts <file.heapsnapshot>` reads a Chromium heap snapshot (the one
 * bench/client/profile.ts writes, or DevTools') and prints:
 *   - self size by constructor;
 *   - self size by owner: each object counted once, for the first owner (in the order below) that
 *     reaches it by following references — not through closures, code, contexts or another
 *     owner's root, so a note's string shared by its Y.Doc and the board counts for the Y.Doc;
 *     what no owner reaches is "everything else" (code, Svelte, zod, shapes, …);
 *   - code by script: each script's source text, and the functions compiled from it (their
 *     SharedFunctionInfos, bytecode, feedback metadata, and the machine code optimised from them),
 *     with how many functions were compiled and how many have machine code — what a chunk costs.
 * Blink's native objects are left out (their memory is not in `Runtime.getHeapUsage`'s JS heap).
 * Build unminified (`npx vite build --minify false`) to see class names.
 */
import fs from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const OWNERS: ReadonlyArray<[string, readonly string[]]> = [
  ['Y.Docs (items, IDs, values, maps)', ['Doc']],
  ['board model (document caches, room cache, snapshot)', ['NotesDocCache', 'NotesRecords', 'RoomCache', 'BoardModel', 'BoardFeed']],
  ['wall canvas (WallCanvas, Konva)', ['WallCanvas', 'Stage']],
  ['socket and sessions (mux)', ['MuxConnection']],
  ['undo managers', ['UndoManager']],
  ['IndexedDB providers', ['IndexeddbPersistence']],
  ['awareness', ['Awareness']],
];
/** Edges not followed: event listeners and prototypes lead from data to the code that uses it. */
const SKIP_EDGES = new Set(['_observers', '__proto__', 'constructor', 'context', 'map']);
const SKIP_TYPES = new Set(['closure', 'code', 'hidden', 'native', 'object shape', 'synthetic']);

function main(file: string): void {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const { node_fields: nodeFields, node_types: [nodeTypes], edge_fields: edgeFields, edge_types: [edgeTypes] } = snap.snapshot.meta;
  const nf = nodeFields.length;
  const ef = edgeFields.length;
  const count = snap.nodes.length / nf;
  const [iType, iName, iSize, iEdges] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nodeFields.indexOf(f)) as [number, number, number, number];
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => edgeFields.indexOf(f)) as [number, number, number];
  const first = new Uint32Array(count + 1);
  for (let i = 0, e = 0; i < count; i++) {
    first[i] = e;
    e += snap.nodes[i * nf + iEdges]! * ef;
    first[i + 1] = e;
  }
  const type = (i: number) => nodeTypes[snap.nodes[i * nf + iType]!]!;
  const size = (i: number) => (type(i) === 'native' ? 0 : snap.nodes[i * nf + iSize]!);
  const label = (i: number) => {
    const t = type(i);
    return t === 'object' || t === 'closure' || t === 'native' ? snap.strings[snap.nodes[i * nf + iName]!]! : `(${t})`;
  };
  const weak = edgeTypes.indexOf('weak');
  const edgeName = (e: number) => {
    const t = edgeTypes[snap.edges[e + eType]!];
    return t === 'element' || t === 'hidden' ? '' : String(snap.strings[snap.edges[e + eName]!]);
  };
  // What is reachable from the root (weak references do not keep anything).
  const reachable = new Uint8Array(count);
  const stack = [0];
  reachable[0] = 1;
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (let e = first[v]!; e < first[v + 1]!; e += ef) {
      if (snap.edges[e + eType] === weak) continue;
      const w = snap.edges[e + eTo]! / nf;
      if (!reachable[w]) {
        reachable[w] = 1;
        stack.push(w);
      }
    }
  }
  const tally = (into: Map<string, number>, key: string, bytes: number) => into.set(key, (into.get(key) ?? 0) + bytes);
  const print = (m: Map<string, number>, n: number, indent = '  ') =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).forEach(([k, bytes]) => console.log(`${indent}${(bytes / 1048576).toFixed(3).padStart(7)} MiB  ${k.slice(0, 90)}`));

  const byConstructor = new Map<string, number>();
  let total = 0;
  for (let v = 0; v < count; v++) {
    if (!reachable[v]) continue;
    total += size(v);
    tally(byConstructor, label(v), size(v));
  }
  console.log(`${file}: ${(total / 1048576).toFixed(2)} MiB reachable (JS heap, Blink's native objects left out)\n\nself size by constructor:`);
  print(byConstructor, 25);

  const owner = new Int8Array(count).fill(-1);
  const rootOf = (v: number) => OWNERS.findIndex(([, names]) => names.includes(label(v)));
  OWNERS.forEach(([name], k) => {
    const queue: number[] = [];
    for (let v = 0; v < count; v++) {
      if (reachable[v] && owner[v] === -1 && rootOf(v) === k) {
        owner[v] = k;
        queue.push(v);
      }
    }
    const parts = new Map<string, number>();
    let bytes = 0;
    while (queue.length > 0) {
      const v = queue.pop()!;
      bytes += size(v);
      tally(parts, label(v), size(v));
      for (let e = first[v]!; e < first[v + 1]!; e += ef) {
        if (snap.edges[e + eType] === weak || SKIP_EDGES.has(edgeName(e))) continue;
        const w = snap.edges[e + eTo]! / nf;
        if (owner[w] !== -1 || SKIP_TYPES.has(type(w)) || label(w).startsWith('system /')) continue;
        const root = rootOf(w);
        if (root !== -1 && root !== k) continue;
        owner[w] = k;
        queue.push(w);
      }
    }
    console.log(`\n${(bytes / 1048576).toFixed(2)} MiB  ${name}`);
    print(parts, 8, '    ');
  });
  const rest = new Map<string, number>();
  let restBytes = 0;
  for (let v = 0; v < count; v++) {
    if (!reachable[v] || owner[v] !== -1) continue;
    restBytes += size(v);
    tally(rest, label(v), size(v));
  }
  console.log(`\n${(restBytes / 1048576).toFixed(2)} MiB  everything else`);
  print(rest, Number(process.env.HEAP_REST_TOP ?? 12), '    ');

  // Code by script: SharedFunctionInfo → script; bytecode belongs to its function, machine code to
  // the function whose bytecode it was optimised from; what those hold (constant pools, relocation
  // data, scope infos) to the same script.
  const nameOf = (i: number) => snap.strings[snap.nodes[i * nf + iName]!]!;
  const edgesOf = function* (v: number): Generator<[string, number]> {
    for (let e = first[v]!; e < first[v + 1]!; e += ef) yield [edgeName(e), snap.edges[e + eTo]! / nf];
  };
  const scriptName = (v: number) => (nameOf(v).replace(/^system \/ Script \/ ?/, '').split('/').pop() || '(no name)').replace(/\?.*/, '');
  const scriptOf = new Map<number, string>();
  const bytecodeOwner = new Map<number, number>();
  const sources = new Map<string, number>();
  const perScript = new Map<string, { bytes: number; compiled: number; optimised: number }>();
  const entry = (k: string) => perScript.get(k) ?? (perScript.set(k, { bytes: 0, compiled: 0, optimised: 0 }), perScript.get(k)!);
  for (let v = 0; v < count; v++) {
    if (!reachable[v] || type(v) !== 'code') continue;
    const name = nameOf(v);
    if (name.startsWith('system / Script')) {
      for (const [edge, w] of edgesOf(v)) if (edge === 'source') tally(sources, scriptName(v), size(w));
    } else if (name.startsWith('system / SharedFunctionInfo')) {
      for (const [edge, w] of edgesOf(v)) {
        if (edge === 'script') scriptOf.set(v, scriptName(w));
        if (edge === 'trusted_function_data' && /^system \/ (BytecodeArray|Code)/.test(nameOf(w))) bytecodeOwner.set(w, v);
      }
    }
  }
  // Baseline code hangs off its function (SFI → Code ← InstructionStream); optimised code only off
  // closures, so it is found through the bytecode it was optimised from (InstructionStream → BytecodeArray).
  const codeObjectOwner = new Map<number, number>();
  for (const [bytecodeOrCode, sfi] of bytecodeOwner) if (nameOf(bytecodeOrCode).startsWith('system / Code')) codeObjectOwner.set(bytecodeOrCode, sfi);
  const streams: number[] = [];
  for (let v = 0; v < count; v++) if (reachable[v] && nameOf(v).startsWith('system / InstructionStream')) streams.push(v);
  for (const v of streams) {
    const edges = [...edgesOf(v)];
    const sfi = codeObjectOwner.get(edges.find(([edge]) => edge === 'code')?.[1] ?? -1);
    if (sfi === undefined) continue;
    for (const [, w] of edges) if (nameOf(w).startsWith('system / BytecodeArray')) bytecodeOwner.set(w, sfi);
  }
  const codeOwner = new Map<number, string>();
  const queue: number[] = [];
  for (const [sfi, script] of scriptOf) {
    codeOwner.set(sfi, script);
    queue.push(sfi);
  }
  for (const v of streams) {
    const edges = [...edgesOf(v)];
    const sfi = codeObjectOwner.get(edges.find(([edge]) => edge === 'code')?.[1] ?? -1) ?? edges.map(([, w]) => bytecodeOwner.get(w)).find((x) => x !== undefined);
    const script = scriptOf.get(sfi ?? -1);
    if (script === undefined) continue;
    codeOwner.set(v, script);
    entry(script).optimised++;
    queue.push(v);
  }
  for (const script of scriptOf.values()) entry(script);
  for (const [sfi, script] of scriptOf) if ([...edgesOf(sfi)].some(([edge, w]) => edge === 'trusted_function_data' && /^system \/ (BytecodeArray|Code)/.test(nameOf(w)))) entry(script).compiled++;
  while (queue.length > 0) {
    const v = queue.pop()!;
    const script = codeOwner.get(v)!;
    entry(script).bytes += size(v);
    for (const [, w] of edgesOf(v)) {
      if (codeOwner.has(w) || type(w) !== 'code' || /^system \/ (Script|SharedFunctionInfo|InstructionStream)/.test(nameOf(w))) continue;
      codeOwner.set(w, script);
      queue.push(w);
    }
  }
  console.log('\ncode by script (source text; functions: their metadata, bytecode and machine code):');
  [...perScript]
    .map(([script, c]) => ({ script, ...c, source: sources.get(script) ?? 0 }))
    .sort((a, b) => b.bytes + b.source - a.bytes - a.source)
    .slice(0, 16)
    .forEach((c) => console.log(`  ${(c.source / 1048576).toFixed(3).padStart(7)} + ${(c.bytes / 1048576).toFixed(3).padStart(7)} MiB  ${String(c.compiled).padStart(5)} compiled, ${String(c.optimised).padStart(4)} with machine code  ${c.script.slice(0, 60)}`));
}

main(process.argv[2] ?? '/tmp/arvo-wall-2000.heapsnapshot');
