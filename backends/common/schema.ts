/**
 * Validators for the project's own JSON Schemas (profiles, baselines), compiled on first use.
 * Checking a schema against the JSON-Schema meta-schema costs more than compiling it, and the
 * schemas only change with the code, so that check runs in the project's tests
 * (test/unit/schemas.test.ts) instead of on every run.
 */
import Ajv, { type Options, type ValidateFunction } from 'ajv';

export function lazyValidator(schema: () => object, options: Options = {}): () => ValidateFunction {
  let compiled: ValidateFunction | null = null;
  return () => (compiled ??= new Ajv({ strict: true, validateSchema: false, ...options }).compile(schema()));
}
