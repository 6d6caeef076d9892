import { packageConfig } from '../../vitest.shared.mjs';

export default packageConfig();
