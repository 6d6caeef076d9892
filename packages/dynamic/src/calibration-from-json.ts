import { ObserverError, observerFromJSON, type Observer } from '@qint/observers';
import type { CalibrationJSON, CalibrationState } from './calibrate-options';
import { activationObserverOptions, METHOD_KINDS, ObserverCalibration } from './observer-calibration';
import { QuantizeError } from './quantize-error';

/**
 * Restores a {@link CalibrationState} from {@link CalibrationState.toJSON} (an object or its JSON text).
 *
 * @param json - the serialized calibration
 * @returns the calibration, ready to `merge`, continue (`calibrate(..., { state })`) or give its `ranges()`
 * @throws {@link QuantizeError} for malformed JSON, an unknown version or method, or observers of another kind
 * @example
 * ```ts
 * const a = calibrationFromJSON(readFileSync('shard-a.json', 'utf8'));
 * a.merge(calibrationFromJSON(readFileSync('shard-b.json', 'utf8')));
 * quantizeStatic(model, a, { format: 'qoperator' });
 * ```
 */
export function calibrationFromJSON(json: CalibrationJSON | string): CalibrationState {
  let parsed: CalibrationJSON;
  try {
    parsed = typeof json === 'string' ? (JSON.parse(json) as CalibrationJSON) : json;
  } catch (cause) {
    throw new QuantizeError('calibrationFromJSON: "json" is not valid JSON', { cause });
  }
  if (parsed === null || typeof parsed !== 'object') throw new QuantizeError(`calibrationFromJSON: "json" must be an object, got ${String(parsed)}`);
  if (parsed.version !== 1) throw new QuantizeError(`calibrationFromJSON: version must be 1, got ${JSON.stringify(parsed.version)}`);
  if (!Object.prototype.hasOwnProperty.call(METHOD_KINDS, parsed.method)) throw new QuantizeError(`calibrationFromJSON: unknown method ${JSON.stringify(parsed.method)}`);
  if (!Number.isInteger(parsed.batches) || parsed.batches < 0) throw new QuantizeError(`calibrationFromJSON: batches must be a non-negative integer, got ${JSON.stringify(parsed.batches)}`);
  if (parsed.observers === null || typeof parsed.observers !== 'object') throw new QuantizeError('calibrationFromJSON: "observers" must be an object');
  const observers = new Map<string, Observer>();
  let options: Record<string, unknown> | undefined;
  for (const [name, oj] of Object.entries(parsed.observers)) {
    if (!oj || oj.kind !== METHOD_KINDS[parsed.method]) throw new QuantizeError(`calibrationFromJSON: observer of "${name}" must be a ${METHOD_KINDS[parsed.method]}, got ${JSON.stringify(oj?.kind)}`, { node: name });
    try {
      observers.set(name, observerFromJSON(oj));
    } catch (cause) {
      if (cause instanceof ObserverError) throw new QuantizeError(`calibrationFromJSON: observer of "${name}" is malformed: ${cause.message}`, { cause, node: name });
      throw cause;
    }
    if (options === undefined) options = oj.options;
    else if (JSON.stringify(options) !== JSON.stringify(oj.options)) throw new QuantizeError(`calibrationFromJSON: observer of "${name}" has options that differ from the others`, { node: name });
  }
  return new ObserverCalibration(parsed.method, options ?? activationObserverOptions(parsed.method, {}), observers, parsed.batches);
}
