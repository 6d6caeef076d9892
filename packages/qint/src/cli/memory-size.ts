import { UsageError } from './usage-error';

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, k: 1024, kib: 1024, m: 2 ** 20, mib: 2 ** 20, g: 2 ** 30, gib: 2 ** 30, t: 2 ** 40, tib: 2 ** 40 };

/**
 * Parses `--max-memory`: a byte count, or a number with KB/MB/GB/TB (powers of 1000) or K/KiB, M/MiB, G/GiB, T/TiB
 * (powers of 1024).
 *
 * @param text - e.g. `512MB`, `2GiB`, `1e9`
 * @returns bytes
 * @throws {@link UsageError} for anything else
 */
export function parseMemorySize(text: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?(?:e[0-9]+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!(bytes >= 1)) throw new UsageError(`--max-memory must be a size such as 512MB, 2GiB or a byte count, got ${JSON.stringify(text)}`);
  return bytes;
}
