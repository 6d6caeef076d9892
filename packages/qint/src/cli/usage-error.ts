import { InputError } from '../input-error';

/**
 * The command line itself is wrong: a flag with an impossible value, flags that cannot go together, a missing
 * `--input`. The CLI exits with {@link EXIT_CODES}`.usage` (2) for it, as for commander's own usage errors, and
 * with `badInput` (3) for files and models that are wrong.
 *
 * @example
 * ```ts
 * throw new UsageError('--mode must be dynamic or static, got "fast"');
 * ```
 */
export class UsageError extends InputError {}
