import type { Command } from 'commander';
import { evaluate } from '../../evaluate';
import { loadModel } from '../../load-model';
import type { CliContext } from '../cli-context';
import { readNpyArg } from '../npy-arg';

/** `qint eval <model> --inputs x.npy --labels y.npy`: top-1 accuracy. */
export function registerEval(program: Command, ctx: CliContext): void {
  program
    .command('eval')
    .description('top-1 accuracy of a classifier on labelled data')
    .argument('<model>', 'an .onnx or .qint file')
    .requiredOption('--inputs <x.npy>', 'samples [N, ...]')
    .requiredOption('--labels <y.npy>', 'integer labels [N]')
    .option('--batch <n>', 'batch size for a symbolic batch dim', (v) => Number(v), 64)
    .option('-b, --backend <js|wasm>', 'kernel backend', 'wasm')
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', '\nExamples:\n  qint eval mnist-int8.qint --inputs x.npy --labels y.npy\n  qint eval model.onnx --inputs x.npy --labels y.npy --backend js --json')
    .action(async (path: string, options: { inputs: string; labels: string; batch: number; backend: string; json?: boolean }) => {
      const model = await loadModel(path);
      const inputs = await readNpyArg(options.inputs, '--inputs');
      const labels = await readNpyArg(options.labels, '--labels');
      const bar = ctx.progress('eval', inputs.shape[0] ?? 0, options.json);
      let last = 0;
      const result = await evaluate(model, inputs, labels, {
        backend: options.backend as 'js' | 'wasm',
        batchSize: options.batch,
        onProgress: (done) => {
          bar.tick(done - last);
          last = done;
        },
      });
      bar.stop();
      if (options.json) ctx.out(JSON.stringify({ ...result, backend: options.backend }, null, 2));
      else ctx.out(`accuracy ${(result.accuracy * 100).toFixed(2)}% (${result.correct}/${result.total}) in ${(result.ms / 1000).toFixed(2)} s on ${options.backend}`);
    });
}
