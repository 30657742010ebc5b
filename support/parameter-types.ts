/** Parameter types for the suite's step sentences. Each validates its value, naming the allowed set. */
import { defineParameterType } from '@cucumber/cucumber';
import { isErrnoName, type ErrnoName } from '../spec/abi/errno';
import { globalField } from '../spec/abi/global-metadata';
import { leaf } from '../spec/encodings/seamcall';
import { isStatusName } from '../spec/abi/status';
import { LOG_PHRASES, LOG_PHRASE_PATTERN } from './log-phrases';

defineParameterType({
  name: 'errno',
  regexp: /E[A-Z0-9]+/,
  transformer: (s: string): ErrnoName => {
    if (!isErrnoName(s)) throw new Error(`unknown errno name ${s}`);
    return s;
  },
});

defineParameterType({
  name: 'status',
  regexp: /TDX_[A-Z0-9_]+/,
  transformer: (s: string): string => {
    if (!isStatusName(s)) throw new Error(`unknown TDX status ${s} (see spec/abi/status.ts)`);
    return s;
  },
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

defineParameterType({
  name: 'field',
  regexp: /[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+/,
  transformer: (s: string): string => globalField(s).name,
});

defineParameterType({
  name: 'logmsg',
  regexp: new RegExp(LOG_PHRASE_PATTERN),
  transformer: (s: string) => LOG_PHRASES[s],
});

defineParameterType({
  name: 'has',
  regexp: /include|lack/,
  transformer: (s: string): boolean => s === 'include',
});
