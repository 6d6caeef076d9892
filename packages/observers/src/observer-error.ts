import { QintError, type QintErrorOptions } from '@qint/tensor';

/**
 * An observer was misused: an invalid option (a custom range without 0, a qscheme the observer cannot serve),
 * an empty tensor, a `chAxis` outside the tensor's rank, or JSON/merge input from an incompatible observer.
 *
 * @example
 * ```ts
 * try { new MinMaxObserver({ quantMin: 1, quantMax: 15 }); }
 * catch (e) { if (e instanceof ObserverError) console.log(e.code); } // 'ERR_OBSERVER'
 * ```
 */
export class ObserverError extends QintError {
  declare readonly code: 'ERR_OBSERVER';
  /**
   * @param message - names the bad argument, what it was and what was expected
   * @param options - `cause` of the error
   */
  constructor(message: string, options?: QintErrorOptions) {
    super('ERR_OBSERVER', message, options);
  }
}
