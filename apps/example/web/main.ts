// The page: starts the worker, shows its progress, the results table and the size/accuracy chart, sends drawn digits
// for prediction and dropped .onnx files for inspection.
import { formatBytes, renderParetoChart } from 'qint';
import { attachDigitPad } from './digit-pad';
import type { FromWorker, ToWorker } from './messages';
import type { ExperimentSummary } from './summary';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (message: ToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);
let ready = false;

function cell(text: string, numeric = false): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (numeric) td.className = 'n';
  return td;
}

function showResults(s: ExperimentSummary): void {
  const body = $('results').querySelector('tbody')!;
  body.replaceChildren(
    ...s.variants.map((v) => {
      const tr = document.createElement('tr');
      tr.dataset.variant = v.name;
      tr.append(
        cell(v.name),
        cell(formatBytes(v.fileBytes), true),
        cell(formatBytes(v.weightBytes), true),
        cell(`${(v.accuracy * 100).toFixed(2)}%`, true),
        cell(v.latencyMs.js !== undefined ? `${v.latencyMs.js.toFixed(3)} ms` : '–', true),
        cell(v.latencyMs.wasm !== undefined ? `${v.latencyMs.wasm.toFixed(3)} ms` : '–', true),
        cell(v.note),
      );
      return tr;
    }),
  );
  $('summary').textContent =
    `Accuracy on ${s.evalSamples.toLocaleString('en-US')} MNIST test digits; latency is the median of batch-1 runs. ` +
    `Spearman correlation of predicted and measured damage over the frontier: ${s.spearman.toFixed(3)}. Done in ${s.seconds.toFixed(1)} s.`;
  $('chart').innerHTML = renderParetoChart(
    [
      { name: 'mixed-precision frontier', points: s.frontier.map((f) => ({ bytes: f.bytes, value: f.accuracy })) },
      { name: 'variants', points: s.variants.filter((v) => !v.name.startsWith('float')).map((v) => ({ bytes: v.weightBytes, value: v.accuracy, label: v.name, highlight: true })) },
    ],
    { yLabel: 'accuracy', percent: true },
  );
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  if (m.type === 'progress') {
    $('status').textContent = `${m.stage}…`;
    $<HTMLProgressElement>('progress').value = m.fraction;
  } else if (m.type === 'done') {
    ready = true;
    $('status').textContent = 'done: draw a digit below';
    $<HTMLProgressElement>('progress').value = 1;
    showResults(m.summary);
  } else if (m.type === 'predictions') {
    $('predictions').querySelector('tbody')!.replaceChildren(
      ...m.predictions.map((p) => {
        const tr = document.createElement('tr');
        tr.append(cell(p.model), cell(String(p.digit), true), cell(`${(p.confidence * 100).toFixed(1)}%`, true));
        return tr;
      }),
    );
  } else if (m.type === 'inspected') {
    $('drop-result').textContent = m.text;
  } else {
    $('status').textContent = `error: ${m.message}`;
  }
};

const pad = attachDigitPad($<HTMLCanvasElement>('pad'), (pixels) => {
  if (ready) send({ type: 'predict', pixels }, [pixels.buffer]);
});
$('clear').addEventListener('click', () => pad.clear());

const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', async (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer?.files[0];
  if (!file) return;
  $('drop-result').textContent = `reading ${file.name}…`;
  const bytes = await file.arrayBuffer();
  send({ type: 'inspect', name: file.name, bytes }, [bytes]);
});

send({ type: 'start', dataUrl: new URL('./data/', location.href).href });
