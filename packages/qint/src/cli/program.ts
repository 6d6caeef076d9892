import { setMaxTensorBytes } from '@qint/tensor';
import { Command } from 'commander';
import { parseMemorySize } from './memory-size';
import type { CliContext } from './cli-context';
import { VERSION } from '../version';
import { registerBench } from './commands/bench';
import { registerConformance } from './commands/conformance';
import { registerEval } from './commands/eval';
import { registerInspect } from './commands/inspect';
import { registerQuantize } from './commands/quantize';
import { registerRun } from './commands/run';
import { registerSensitivity } from './commands/sensitivity';

/** Builds the commander program with every command registered. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('qint')
    .description('Quantize neural networks and run them with integer kernels.')
    .version(VERSION)
    .option('--verbose', 'print stack traces on errors')
    .option('--max-memory <size>', 'largest tensor a model may allocate: bytes, or with KB/MB/GB (1000s) or KiB/MiB/GiB (1024s)', '2GiB')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.out(s.replace(/\n$/, '')), writeErr: (s) => ctx.err(s.replace(/\n$/, '')) })
    .hook('preAction', (root) => {
      setMaxTensorBytes(parseMemorySize(String(root.opts().maxMemory)));
    });
  registerInspect(program, ctx);
  registerQuantize(program, ctx);
  registerRun(program, ctx);
  registerEval(program, ctx);
  registerSensitivity(program, ctx);
  registerBench(program, ctx);
  registerConformance(program, ctx);
  return program;
}
