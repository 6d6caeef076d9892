import type { LayerGrams, QuantizeDynamicOptions } from './quantize-dynamic-options';

/**
 * Whether a {@link QuantizeDynamicOptions.calibration} value is precomputed {@link LayerGrams} (from
 * {@link layerGrams}) rather than feeds to run the float model on.
 *
 * @param calibration - a `calibration` option value
 * @returns true for the result of {@link layerGrams}
 * @example
 * ```ts
 * isLayerGrams(layerGrams(model, feeds)); // true
 * isLayerGrams(feeds); // false
 * ```
 */
export function isLayerGrams(calibration: QuantizeDynamicOptions['calibration']): calibration is LayerGrams {
  return typeof calibration === 'object' && calibration !== null && (calibration as LayerGrams).kind === 'layer-grams';
}
