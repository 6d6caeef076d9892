import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runTestCase } from '@qint/onnx';
import type { Command } from 'commander';
import { resolveBackend } from '../../backends';
import { InputError } from '../../input-error';
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

/** The decoder's message for data types qint's dtypes cannot hold (float8, float4, double, string, ...). */
const UNREPRESENTABLE = /which qint cannot hold/;

interface CaseLine {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  detail?: string;
}

/** `qint conformance <case-dir>...`: runs ONNX node test cases, one line per case, exit 1 on any failure. */
export function registerConformance(program: Command, ctx: CliContext): void {
  program
    .command('conformance')
    .description('run ONNX backend test cases (model.onnx + test_data_set_*/), one line per case; exit 1 on any failure')
    .argument('<case-dir...>', 'case folders, or folders of case folders')
    .option('-b, --backend <js|wasm>', 'kernel backend', 'wasm')
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', '\nExamples:\n  qint conformance onnx-node/test_qlinearconv\n  qint conformance onnx-node/ --backend js --json')
    .action(async (dirs: string[], options: { backend: string; json?: boolean }) => {
      const backend = await resolveBackend(options.backend);
      const cases = expandCaseDirs(dirs);
      const lines: CaseLine[] = [];
      const bar = ctx.progress('conformance', cases.length, options.json);
      for (const dir of cases) {
        const name = basename(dir);
        try {
          const result = await runTestCase(dir, { backend });
          const bad = result.outputs.find((o) => !o.pass);
          lines.push(bad ? { name, status: 'fail', detail: `${bad.dataSet} output ${bad.index} (${bad.name}): ${bad.message ?? `${bad.mismatches} mismatches, max abs error ${bad.maxAbsError}`}` } : { name, status: 'pass' });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          lines.push(UNREPRESENTABLE.test(message) ? { name, status: 'skip', detail: message } : { name, status: 'fail', detail: message });
        }
        bar.tick();
      }
      bar.stop();
      const count = (s: CaseLine['status']) => lines.filter((l) => l.status === s).length;
      const totals = { passed: count('pass'), failed: count('fail'), skipped: count('skip') };
      if (options.json) ctx.out(JSON.stringify({ backend: options.backend, ...totals, cases: lines }, null, 2));
      else {
        for (const l of lines) ctx.out(`${l.status.toUpperCase().padEnd(4)} ${l.name}${l.detail ? `: ${l.detail}` : ''}`);
        ctx.out(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped (${options.backend})`);
      }
      if (totals.failed > 0) ctx.exitCode = 1;
    });
}
