// Per-layer sensitivity: the damage done to the model's output when only one layer is quantized with one candidate,
// measured on calibration data (or, without data, predicted from the weights alone), and the candidate's exact bytes
// as the quantizer stores them. The result is the SensitivityTable that `allocate` and `paretoFrontier` read.
import { assertFiniteCalibration, layerGrams, quantizeDynamic, QuantizeError, type LayerGrams, type QuantizedNodeInfo } from '@qint/dynamic';
import { foldConstants, type Model } from '@qint/graph';
import type { KernelBackend } from '@qint/kernels';
import { Tensor, ValueError } from '@qint/tensor';
import { clipWeight } from './clip-weight';
import { DEFAULT_CANDIDATE_SCHEMES, FLOAT_CANDIDATE_ID, toQuantizerSettings, type CandidateScheme } from './candidate-schemes';
import { withLayerWeights } from './internal/clip-model';
import { createDamageMeter } from './internal/damage-meter';
import { layerWeight, producersOf, readers, recurrentWeights } from './internal/layer-weight';
import type { DamageMetric } from './output-damage';
import type { Candidate, LayerSensitivity, SensitivityTable } from './sensitivity-table';
import { weightQuantizationError } from './weight-quantization-error';

/** Damage values cached by (model, data, metric, layer, candidate). Pass the same map to later calls to reuse them. */
export type SensitivityCache = Map<string, number>;

/** Options of {@link measureSensitivity}. */
export interface MeasureSensitivityOptions {
  /**
   * Calibration feeds (input name → tensor), one entry per batch. Without them, damage is the data-free proxy
   * (weight quantization error, see {@link weightQuantizationError}).
   */
  calibration?: readonly Readonly<Record<string, Tensor>>[];
  /** How output damage is measured (default `'kl'`). Ignored by the data-free proxy. */
  metric?: DamageMetric;
  /**
   * Candidates to try on every layer (default {@link DEFAULT_CANDIDATE_SCHEMES}); `'float'` is always added. GPTQ
   * candidates (`rounding: 'gptq'`) are measured only with `calibration` (their Gram matrices come from it); the
   * data-free proxy leaves them out, since the weight error cannot see what GPTQ optimises.
   */
  candidates?: readonly CandidateScheme[];
  /**
   * The Gram matrices GPTQ candidates are rounded with, as `layerGrams` of @qint/dynamic computed them from
   * `calibration` (default: computed here from `calibration`, on the first GPTQ candidate). Pass them when the same
   * matrices also serve `applyPlan` or `allocateMeasured` (as `quantizer.calibration`): the data is then run once.
   */
  grams?: LayerGrams;
  /** Op types considered (default the quantizer's: MatMul, Gemm, Conv). */
  opTypes?: readonly string[];
  /** Kernel backend for the model runs (default: the selected one). */
  backend?: KernelBackend;
  /** Reuse damages measured before (keyed by fingerprints of the model and data). */
  cache?: SensitivityCache;
  /** Called after each (layer, candidate) with progress. */
  onProgress?: (done: number, total: number, label: string) => void;
}

/** What the measurement cost. */
export interface SensitivityCost {
  /** Single-layer quantizations performed. */
  quantizations: number;
  /** Model runs (one per calibration batch per measured candidate, plus the float reference). */
  modelRuns: number;
  /** Damages taken from the cache instead of measured. */
  cacheHits: number;
  ms: number;
}

/** The result of {@link measureSensitivity}. */
export interface SensitivityResult {
  table: SensitivityTable;
  cost: SensitivityCost;
}

/** FNV-1a over bytes: a cheap fingerprint for the cache key (not a security hash). */
function fnv(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function bytesOf(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function fingerprintModel(model: Model): string {
  let h = 0x811c9dc5;
  const enc = new TextEncoder();
  for (const node of model.graph.nodes) h = fnv(enc.encode(`${node.opType}|${node.name}|${node.inputs.join(',')}|${node.outputs.join(',')}`), h);
  for (const [name, t] of model.graph.initializers) h = fnv(bytesOf(t), fnv(enc.encode(name), h));
  return h.toString(16);
}

function fingerprintData(batches: readonly Readonly<Record<string, Tensor>>[] | undefined): string {
  if (!batches) return 'data-free';
  let h = 0x811c9dc5;
  for (const feeds of batches) for (const name of Object.keys(feeds).sort()) h = fnv(bytesOf(feeds[name]), fnv(new TextEncoder().encode(name), h));
  return `${batches.length}:${h.toString(16)}`;
}

/**
 * Measures, for every quantizable layer and every candidate, the damage done to the model's output when only that
 * layer is quantized that way, and the exact bytes the quantizer stores for it (weights + scales + zero points; the
 * float bias is not counted, it stays float in every candidate).
 *
 * @param source - the float model (Constant-node weights and constant chains are folded first, as quantizeDynamic does)
 * @param options - {@link MeasureSensitivityOptions}
 * @returns the sensitivity table and what it cost
 * @throws {@link ValueError} when the model has no quantizable layer or a calibration batch is empty
 * @example
 * ```ts
 * const { table } = measureSensitivity(model, { calibration: [{ input: batch }], metric: 'kl' });
 * const plan = allocate(table, '0.5x');
 * ```
 */
export function measureSensitivity(source: Model, options: MeasureSensitivityOptions = {}): SensitivityResult {
  const started = performance.now();
  // Weights in Constant nodes or behind constant chains are layers too (quantizeDynamic folds them the same way).
  const model = source?.graph ? foldConstants(source) : source;
  const metric = options.metric ?? 'kl';
  const schemes = options.candidates ?? DEFAULT_CANDIDATE_SCHEMES;
  const cost: SensitivityCost = { quantizations: 0, modelRuns: 0, cacheHits: 0, ms: 0 };
  const base = { activationMatMul: false, ...(options.opTypes ? { opTypes: options.opTypes } : {}) };
  // Unnamed nodes are reported as `#index` (inside a subgraph: `<path> > #index`): layers are addressed by node name
  // (or path), so those are left out. Named layers inside If/Loop/Scan bodies are reported by their path.
  const probe = quantizeDynamic(model, base).report.quantized.filter((q) => !/(^|> )#\d+$/.test(q.node));
  if (probe.length === 0) throw new ValueError('measureSensitivity: the model has no quantizable layer with a name (MatMul/Gemm/Conv with a constant weight)');
  const layerNames = probe.map((q) => q.node);
  const producers = producersOf(model);
  const nodeByName = new Map(model.graph.nodes.map((n) => [n.name, n]));
  const counts = readers(model);

  const batches = options.calibration;
  if (batches) batches.forEach((feeds, i) => {
    if (Object.keys(feeds).length === 0) throw new ValueError(`measureSensitivity: calibration batch ${i} has no inputs`);
  });
  assertFiniteCalibration('measureSensitivity', batches);
  const damageOf = batches ? createDamageMeter(model, batches, metric, options.backend) : undefined;
  if (batches) cost.modelRuns += batches.length;

  // Fingerprints hash every weight and calibration byte: only worth it when there is a cache to key.
  const keyPrefix = options.cache ? `${fingerprintModel(model)}|${fingerprintData(batches)}|${batches ? metric : 'proxy'}` : '';
  // GPTQ candidates: the Gram matrices of every layer's inputs, given or from one pass over the calibration data.
  let grams = options.grams;
  const total = probe.length * schemes.length;
  let done = 0;
  const layers: LayerSensitivity[] = [];
  for (const info of probe) {
    // A layer inside an If/Loop/Scan subgraph (named by its path) has no main-graph weight to clip or measure directly.
    const node = nodeByName.get(info.node);
    const matrix = node ? layerWeight(model, node, producers, counts) : undefined;
    // A recurrent layer has several matrices (W and R of each direction): its data-free damage is their sum.
    const parts = matrix || !node ? undefined : recurrentWeights(model, node, producers);
    const weightCount = matrix ? matrix.n * matrix.k : Math.round(info.weightBytesBefore / 4);
    const biasBytes = info.weightBytesBefore - 4 * weightCount;
    const candidates: Candidate[] = [{ id: FLOAT_CANDIDATE_ID, bits: 32, granularity: 'float', bytes: 4 * weightCount, damage: 0 }];
    for (const scheme of schemes) {
      done++;
      options.onProgress?.(done, total, `${info.node} ${scheme.id}`);
      let quantized: { model: Model; info: QuantizedNodeInfo } | undefined;
      // A clipped candidate needs a weight it can edit in place (not shared, not reordered on the way to the layer).
      if (scheme.clip !== undefined && !matrix?.source) continue;
      if (scheme.rounding === 'gptq' && !batches) continue;
      if (scheme.rounding === 'gptq' && !grams) grams = layerGrams(model, batches!, { nodes: layerNames, ...(options.opTypes ? { opTypes: options.opTypes } : {}) });
      // Clipped once: the clipped weight goes into the model, its error is the data-free damage.
      const clipped = scheme.clip !== undefined && matrix ? clipWeight(matrix.w, [matrix.n, matrix.k], scheme) : undefined;
      try {
        const settings = toQuantizerSettings(scheme);
        const source = clipped && matrix ? withLayerWeights(model, [{ weight: matrix, data: clipped.weights }]) : model;
        const result = quantizeDynamic(source, {
          ...base,
          ...settings,
          ...(scheme.rounding === 'gptq' ? { calibration: grams } : {}),
          exclude: layerNames.filter((n) => n !== info.node),
          overrides: { [info.node]: settings },
        });
        cost.quantizations++;
        const q = result.report.quantized.find((x) => x.node === info.node);
        // Only what the quantizer really did counts: a per-block request it turned into per channel (Conv) would
        // duplicate the per-channel candidate under another name.
        if (q && q.bits === scheme.bits && q.granularity === settings.granularity) quantized = { model: result.model, info: q };
      } catch (error) {
        // A scheme the quantizer refuses for this layer (e.g. a block length it cannot store) is not a candidate; anything else is a bug.
        if (!(error instanceof QuantizeError)) throw error;
      }
      if (!quantized) continue;
      const key = `${keyPrefix}|${info.node}|${scheme.id}`;
      let damage = options.cache?.get(key);
      if (damage !== undefined) cost.cacheHits++;
      else if (batches && damageOf) {
        damage = damageOf(quantized.model);
        cost.modelRuns += batches.length;
      } else {
        // Clipped candidates: the clipped quantizer's own squared error of the unclipped weights.
        if (!matrix) damage = parts ? parts.reduce((sum, p) => sum + weightQuantizationError(p.w, [p.n, p.k], scheme), 0) : 0;
        else if (clipped) damage = clipped.errorAfter;
        else damage = weightQuantizationError(matrix.w, [matrix.n, matrix.k], scheme);
      }
      options.cache?.set(key, damage);
      candidates.push({ ...scheme, bytes: quantized.info.weightBytesAfter - biasBytes, damage });
    }
    layers.push({ name: info.node, weightCount, ...(matrix ? { shape: [matrix.n, matrix.k] as [number, number] } : {}), candidates });
  }
  cost.ms = performance.now() - started;
  return { table: { layers, metric: batches ? metric : 'weight-error' }, cost };
}
