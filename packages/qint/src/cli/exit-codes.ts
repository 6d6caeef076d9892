/**
 * The `qint` command's exit codes (documented in the README):
 * - `ok` 0 — done;
 * - `failed` 1 — the command ran but what it checks failed (a conformance case did not pass);
 * - `usage` 2 — the command line is wrong (unknown command or flag, a flag value out of range, flags that conflict);
 * - `badInput` 3 — a file, model or tensor given is wrong or cannot be used (unreadable, corrupt, unsupported op,
 *   shapes that do not fit, a budget that cannot be met, a tensor above `--max-memory`);
 * - `internal` 4 — a bug in qint (please report it, with `--verbose`).
 */
export const EXIT_CODES = { ok: 0, failed: 1, usage: 2, badInput: 3, internal: 4 } as const;

/** What kind of failure an exit code stands for, in `--json` error objects. */
export type FailureKind = 'usage' | 'input' | 'internal';
