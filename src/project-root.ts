/** The project's root directory (features, profiles, baselines...), wherever it is installed. */
import { resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '..');
