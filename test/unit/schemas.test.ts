import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { profileSchema } from '../../backends/emulator/profile';
import { AUDIT_SCHEMA_FILE } from '../../spec/audit/records';
import { BASELINE_SCHEMA } from '../../src/reports/gate';

// Run time compiles these without checking them against the meta-schema (backends/common/schema.ts).
test('the project\'s own JSON Schemas are valid JSON Schemas', () => {
  const ajv = new Ajv({ strict: true });
  const audit = JSON.parse(readFileSync(AUDIT_SCHEMA_FILE, 'utf8')) as object;
  for (const [name, schema] of [['profile', profileSchema()], ['baseline', BASELINE_SCHEMA], ['audit record', audit]] as const) {
    assert.equal(ajv.validateSchema(schema), true, `${name}: ${ajv.errorsText(ajv.errors)}`);
    assert.doesNotThrow(() => ajv.compile(schema), name);
  }
});
