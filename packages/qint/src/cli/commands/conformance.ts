import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runConformanceCase, type ConformanceReason, type ConformanceResult } from '@qint/onnx';
import type { Command } from 'commander';
import { resolveBackend } from '../../backends';
import { InputError } from '../../input-error';
import { UsageError } from '../usage-error';
import type { CliContext } from '../cli-context';

/** A case folder holds `model.onnx`; a folder of case folders is expanded. */
function expandCaseDirs(dirs: string[]): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`${dir}: not a folder`);
    if (existsSync(join(dir, 'model.onnx'))) {
      out.push(dir);
      continue;
    }
    const cases = readdirSync(dir)
      .map((name) => join(dir, name))
      .filter((path) => existsSync(join(path, 'model.onnx')))
      .sort();
    if (cases.length === 0) throw new InputError(`${dir}: no model.onnx in it or in its sub-folders`);
    out.push(...cases);
  }
  return out;
}

function tolerance(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a number ≥ 0, got ${JSON.stringify(value)}`);
  return n;
}

interface CaseLine {
  name: string;
  status: ConformanceResult['status'];
  reason?: ConformanceReason;
  detail?: string;
  ops?: readonly string[];
  maxAbsError?: number | null;
  maxRelError?: number | null;
}

/** NaN is not JSON: a dtype or shape mismatch has no error size. */
const finiteOrNull = (x: number | undefined): number | null | undefined => (x === undefined ? undefined : Number.isFinite(x) ? x : null);

const REASONS: readonly ConformanceReason[] = ['unsupported-type', 'random-output', 'unsupported-op', 'load-error', 'run-error', 'wrong'];

/**
 * `qint conformance <case-dir>...`: runs ONNX node test cases, one line per case, exit 1 on any failure. A case that
 * uses a value type qint cannot hold (tensor element type, sequence, optional) is a SKIP; a missing operator, a load
 * or run-time error and a wrong answer are FAILs (see `ConformanceReason` of @qint/onnx).
 */
export function registerConformance(program: Command, ctx: CliContext): void {
  program
    .command('conformance')
    .description('run ONNX backend test cases (model.onnx + test_data_set_*/), one line per case; exit 1 on any failure')
    .argument('<case-dir...>', 'case folders, or folders of case folders')
    .option('-b, --backend <js|wasm>', 'kernel backend', 'wasm')
    .option('--rtol <x>', 'relative tolerance for float outputs', '1e-3')
    .option('--atol <x>', 'absolute tolerance for float outputs', '1e-7')
    .option('--json', 'print machine-readable JSON: { summary, cases }')
    .addHelpText(
      'after',
      '\nA case whose value types qint cannot hold (element type, sequence, optional), or whose random draws differ, is SKIP; a missing op, a load or run error, or a wrong answer is FAIL.' +
        '\n\nExamples:\n  qint conformance onnx-node/test_qlinearconv\n  qint conformance onnx-node/ --backend js --json\n  qint conformance onnx-node/ --rtol 1e-4 --atol 1e-6',
    )
    .action(async (dirs: string[], options: { backend: string; rtol: string; atol: string; json?: boolean }) => {
      const rtol = tolerance(options.rtol, '--rtol');
      const atol = tolerance(options.atol, '--atol');
      const backend = await resolveBackend(options.backend);
      const cases = expandCaseDirs(dirs);
      const lines: CaseLine[] = [];
      const bar = ctx.progress('conformance', cases.length, options.json);
      for (const dir of cases) {
        const r = await runConformanceCase(dir, { backend, rtol, atol });
        const line: CaseLine = { name: r.name, status: r.status };
        if (r.reason !== undefined) line.reason = r.reason;
        if (r.detail !== undefined) line.detail = r.detail;
        if (r.ops !== undefined) line.ops = r.ops;
        if (r.status !== 'skip' && r.maxAbsError !== undefined) {
          line.maxAbsError = finiteOrNull(r.maxAbsError);
          line.maxRelError = finiteOrNull(r.maxRelError);
        }
        lines.push(line);
        bar.tick();
      }
      bar.stop();
      const count = (s: CaseLine['status']) => lines.filter((l) => l.status === s).length;
      const totals = { passed: count('pass'), failed: count('fail'), skipped: count('skip') };
      const byReason = Object.fromEntries(REASONS.map((r) => [r, lines.filter((l) => l.reason === r).length]));
      if (options.json) {
        const summary = { backend: options.backend, rtol, atol, total: lines.length, ...totals, byReason };
        ctx.out(JSON.stringify({ backend: options.backend, ...totals, summary, cases: lines }, null, 2));
      } else {
        for (const l of lines) {
          const err = l.reason === 'wrong' && l.maxAbsError !== undefined ? ` [max abs error ${l.maxAbsError ?? 'n/a'}, max rel error ${l.maxRelError ?? 'n/a'}]` : '';
          ctx.out(`${l.status.toUpperCase().padEnd(4)} ${l.name}${l.reason !== undefined ? ` (${l.reason})` : ''}${l.detail ? `: ${l.detail}` : ''}${err}`);
        }
        const reasons = REASONS.filter((r) => byReason[r] > 0).map((r) => `${byReason[r]} ${r}`);
        ctx.out(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped (${options.backend}, rtol ${rtol}, atol ${atol})${reasons.length > 0 ? `: ${reasons.join(', ')}` : ''}`);
      }
      if (totals.failed > 0) ctx.exitCode = 1;
    });
}
