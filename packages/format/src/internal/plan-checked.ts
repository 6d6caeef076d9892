import { QintError } from '@qint/tensor';
import { QINT_PREAMBLE_BYTES } from '../constants';
import { FormatError } from '../format-error';
import type { EncodeQintOptions } from '../qint-types';
import { checkModel } from './build-model';
import type { Model } from './ir';
import { planWrite, type WritePlan } from './plan-write';
import { parseHeader, parsePreamble } from './read-header';

/**
 * Plans a write and runs the reader's header validation on the result, so the writer can never produce a file
 * that the reader refuses (e.g. a graph whose node input nothing produces). Call `loadChecksum()` first.
 */
export function planChecked(model: Model, options: EncodeQintOptions): WritePlan {
  let plan: WritePlan;
  try {
    plan = planWrite(model, options);
  } catch (e) {
    if (e instanceof QintError) throw e;
    // A model that is not shaped like the IR (initializers not a Map, a BigInt in metadata, a cycle, ...).
    throw new FormatError('BAD_ARGUMENT', `the model cannot be saved: ${(e as Error)?.message ?? String(e)}`, { field: 'model', offset: -1, cause: e });
  }
  try {
    const preamble = parsePreamble(plan.head.subarray(0, QINT_PREAMBLE_BYTES), plan.totalLength, plan.head.byteLength);
    const header = parseHeader(plan.head.subarray(0, QINT_PREAMBLE_BYTES), plan.head.subarray(QINT_PREAMBLE_BYTES, QINT_PREAMBLE_BYTES + preamble.headerLength), preamble, false);
    checkModel(header);
  } catch (e) {
    if (e instanceof FormatError) {
      throw new FormatError(e.reason, `the model cannot be saved: ${e.message}`, { field: e.field, offset: -1, cause: e });
    }
    throw e;
  }
  return plan;
}
