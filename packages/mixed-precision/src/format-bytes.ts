/**
 * Formats a byte count with decimal units, as budgets are written: 1 KB = 1000 bytes, 1 MB = 10^6 bytes.
 * One decimal for KB, two for MB and GB.
 *
 * @param bytes - a byte count
 * @returns e.g. `'812 B'`, `'14.2 KB'`, `'1.50 MB'`
 * @example
 * ```ts
 * formatBytes(14_213); // '14.2 KB'
 * ```
 */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs < 1e3) return `${bytes} B`;
  if (abs < 1e6) return `${(bytes / 1e3).toFixed(1)} KB`;
  if (abs < 1e9) return `${(bytes / 1e6).toFixed(2)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}
