/**
 * Parameter types for the suite's step sentences. Each validates its value, naming the allowed set.
 * A value a scenario expects (a status, a field identifier) is written in the feature file with its
 * name, `TDX_SYS_NOT_READY (0xc000050500000000)`: the name is for the reader, the number is what is
 * compared. Nothing here reads a table the model serves from (CONTRIBUTING: "Oracles").
 */
import { defineParameterType } from '@cucumber/cucumber';
import type { ErrnoName } from '../spec/abi/errno';
import { leaf } from '../spec/encodings/seamcall';

/** A named 64-bit value as a feature file writes it: `NAME (0x...)`. */
export interface Named {
  name: string;
  value: bigint;
}

const named = (s: string): Named => {
  const m = /^([A-Za-z0-9_.#]+) \((0x[0-9a-fA-F]+)\)$/.exec(s)!;
  return { name: m[1], value: BigInt(m[2]) };
};

defineParameterType({
  name: 'errno',
  regexp: /E[A-Z0-9]+/,
  transformer: (s: string): ErrnoName => s as ErrnoName,
});

/** A TDX status with its value: `TDX_OPERAND_INVALID (0xc000010000000000)`. */
defineParameterType({
  name: 'status',
  regexp: /TDX_[A-Z0-9_]+ \(0x[0-9a-fA-F]+\)/,
  transformer: named,
});

defineParameterType({
  name: 'leaf',
  regexp: /TDH(?:\.[A-Z0-9]+)+/,
  transformer: (s: string): string => leaf(s).name,
});

defineParameterType({
  name: 'hex',
  regexp: /0x[0-9a-fA-F]+/,
  transformer: (s: string): bigint => BigInt(s),
});

/** A global metadata field with its identifier: `MAX_TDMRS (0x9100000100000008)`. */
defineParameterType({
  name: 'field',
  regexp: /[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+ \(0x[0-9a-fA-F]{16}\)/,
  transformer: named,
});

defineParameterType({
  name: 'has',
  regexp: /include|lack/,
  transformer: (s: string): boolean => s === 'include',
});
