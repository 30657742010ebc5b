/**
 * Writes test/fixtures/synthetic/dialects/: the real capture DIALECT_SOURCE re-rendered in each
 * dialect of test/support/log-dialects.ts. Run: node -r ts-node/register/transpile-only test/support/make-dialect-fixtures.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';
import { DIALECT_FIXTURES, renderFixture } from './log-dialects';

const dir = join(PROJECT_ROOT, 'test/fixtures/synthetic/dialects');
mkdirSync(dir, { recursive: true });
for (const name of Object.keys(DIALECT_FIXTURES)) writeFileSync(join(dir, name), renderFixture(name));
