import { packageConfig } from '../../vitest.shared.mjs';

// The shared config carries the `.wasm` loader that the WASM-backend conformance and model tests need.
export default packageConfig();
