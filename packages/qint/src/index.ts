export { InputError } from './input-error';
export { readNpy, writeNpy } from './npy';
export { VERSION } from './version';
export { loadModel, type ModelSource } from './load-model';
export { resolveBackend, type BackendName } from './backends';
export { summarizeModel, formatBytes, type ModelSummary, type LayerSummary, type ValueSummary } from './model-summary';
