import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { loadModel } from '../../load-model';
import { formatBytes, summarizeModel, type ModelSummary } from '../../model-summary';

function shapeText(shape: (number | string)[] | 'unknown'): string {
  return shape === 'unknown' ? '?' : `[${shape.join(', ')}]`;
}

function renderSummary(path: string, s: ModelSummary): string {
  const lines: string[] = [];
  lines.push(`${path}`);
  lines.push(`  producer: ${s.producer}   IR ${s.irVersion}   opsets: ${Object.entries(s.opsets).map(([d, v]) => `${d || 'ai.onnx'} ${v}`).join(', ')}`);
  for (const v of s.inputs) lines.push(`  input  ${v.name}: ${v.dtype} ${shapeText(v.shape)}`);
  for (const v of s.outputs) lines.push(`  output ${v.name}: ${v.dtype} ${shapeText(v.shape)}`);
  lines.push(`  ${s.nodeCount} nodes: ${Object.entries(s.ops).sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ${n}`).join(', ')}`);
  lines.push(
    `  ${s.parameters.toLocaleString('en-US')} parameters, ${formatBytes(s.parameterBytes)} (${Object.entries(s.bytesByDType).map(([d, b]) => `${d} ${formatBytes(b!)}`).join(', ')})`,
  );
  if (s.layers.length > 0) {
    const nameWidth = Math.min(40, Math.max(5, ...s.layers.map((l) => l.name.length)));
    const opWidth = Math.max(2, ...s.layers.map((l) => l.opType.length));
    lines.push('');
    const weights = (l: ModelSummary['layers'][number]): string => (l.weightBits === undefined ? '' : l.scheme === 'float' ? `float${l.weightBits}` : `${l.weightBits}-bit${l.scheme ? ` ${l.scheme}` : ''}`);
    const wWidth = Math.max(7, ...s.layers.map((l) => weights(l).length));
    lines.push(`  ${'layer'.padEnd(nameWidth)}  ${'op'.padEnd(opWidth)}  ${'params'.padStart(10)}  ${'bytes'.padStart(10)}  ${'weights'.padEnd(wWidth)}  stored as`);
    for (const l of s.layers) {
      lines.push(`  ${l.name.slice(0, nameWidth).padEnd(nameWidth)}  ${l.opType.padEnd(opWidth)}  ${l.parameters.toLocaleString('en-US').padStart(10)}  ${formatBytes(l.bytes).padStart(10)}  ${weights(l).padEnd(wWidth)}  ${l.dtypes.join(', ')}`);
    }
  }
  return lines.join('\n');
}

/** `qint inspect <model>`: ops, parameters, bytes per layer, dtypes. */
export function registerInspect(program: Command, ctx: CliContext): void {
  program
    .command('inspect')
    .description('show a model: inputs, outputs, ops, parameters and bytes per layer and dtype')
    .argument('<model>', 'an .onnx file')
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', '\nExamples:\n  qint inspect mnist-8/model.onnx\n  qint inspect model.onnx --json')
    .action(async (path: string, options: { json?: boolean }) => {
      const summary = summarizeModel(await loadModel(path));
      ctx.out(options.json ? JSON.stringify(summary, null, 2) : renderSummary(path, summary));
    });
}
