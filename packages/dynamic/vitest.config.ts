import { packageConfig } from '../../vitest.shared.mjs';

// Quantizing and evaluating real models on two backends takes longer than the default timeout on a loaded machine.
export default packageConfig({ testTimeout: 180_000 });
