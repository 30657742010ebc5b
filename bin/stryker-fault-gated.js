'use strict';
// Which StrykerJS mutants of the emulator only touch its fault switches (bin/mutate-stryker.js).
//
// The emulator's named faults (backends/emulator/faults) are tested `faults.has('<name>')`; the
// conformance run that measures the mutants has no fault on, so there every such test is false.
// A mutant is equivalent in that run, and is counted apart from the score, when
//  - it lies in code that runs only when a fault is on: the branch taken when a condition of
//    the form `... && faults.has(..) && ...` holds (or the other branch of `!faults.has(..)`);
//  - or it rewrites such a condition into one that is still false without faults: still a
//    conjunction with a `faults.has(..)` term (whatever the fault's name became), or `false`
//    (and the same, negated, for `!faults.has(..)`);
//  - or it only renames the fault a `faults.has(..)` asks about, or makes that call `false`:
//    false it was, false it stays.
// Every other mutant counts. The rule is syntactic, read with the TypeScript compiler's parser.
const ts = require('typescript');

const unparen = (e) => {
  while (e && ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
};

function isFaultCall(e) {
  e = unparen(e);
  return !!e && ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'has' &&
    /(^|\.)faults$/.test(e.expression.expression.getText());
}

/** False whenever no fault is on: `false`, a fault test, or a conjunction with such a term. */
function falseWithoutFaults(e) {
  e = unparen(e);
  if (!e) return false;
  if (e.kind === ts.SyntaxKind.FalseKeyword || isFaultCall(e)) return true;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) return falseWithoutFaults(e.left) || falseWithoutFaults(e.right);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return trueWithoutFaults(e.operand);
  return false;
}

/** True whenever no fault is on. */
function trueWithoutFaults(e) {
  e = unparen(e);
  if (!e) return false;
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.BarBarToken) return trueWithoutFaults(e.left) || trueWithoutFaults(e.right);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return falseWithoutFaults(e.operand);
  return false;
}

/** The fault-gated conditions of a source file and the code only a fault reaches. */
function gates(text, fileName) {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const conditions = [];
  const faultOnly = [];
  const calls = [];
  const visit = (node) => {
    if (isFaultCall(node)) calls.push({ start: node.getStart(sf), end: node.getEnd(), args: [node.arguments.pos, node.arguments.end] });
    let cond = null;
    let whenTrue = null;
    let whenFalse = null;
    if (ts.isIfStatement(node)) [cond, whenTrue, whenFalse] = [node.expression, node.thenStatement, node.elseStatement];
    else if (ts.isConditionalExpression(node)) [cond, whenTrue, whenFalse] = [node.condition, node.whenTrue, node.whenFalse];
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && falseWithoutFaults(node.left)) {
      // `faults.has(x) && effect()`: the right side runs only with the fault.
      faultOnly.push([node.right.getStart(sf), node.right.getEnd()]);
    }
    if (cond) {
      if (falseWithoutFaults(cond)) {
        conditions.push({ start: cond.getStart(sf), end: cond.getEnd(), want: false });
        faultOnly.push([whenTrue.getStart(sf), whenTrue.getEnd()]);
      } else if (trueWithoutFaults(cond)) {
        conditions.push({ start: cond.getStart(sf), end: cond.getEnd(), want: true });
        if (whenFalse) faultOnly.push([whenFalse.getStart(sf), whenFalse.getEnd()]);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { conditions, faultOnly, calls };
}

function lineOffsets(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

/**
 * Classify mutants of one file. `mutants` carry Stryker report locations (1-based lines and
 * columns, end exclusive) and replacements; returns the set of indexes that are equivalent.
 */
function faultGatedMutants(text, fileName, mutants) {
  const { conditions, faultOnly, calls } = gates(text, fileName);
  const starts = lineOffsets(text);
  const off = (p) => starts[p.line - 1] + p.column - 1;
  const out = new Set();
  mutants.forEach((m, i) => {
    const s = off(m.location.start);
    const e = off(m.location.end);
    if (faultOnly.some(([a, b]) => s >= a && e <= b)) {
      out.add(i);
      return;
    }
    for (const c of calls) {
      const renamed = s >= c.args[0] && e <= c.args[1];
      const falsified = s === c.start && e === c.end && m.replacement.trim() === 'false';
      if (renamed || falsified) {
        out.add(i);
        return;
      }
    }
    for (const c of conditions) {
      if (s < c.start || e > c.end) continue;
      const mutated = text.slice(c.start, s) + m.replacement + text.slice(e, c.end);
      const expr = ts.createSourceFile('c.ts', `(${mutated});`, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS).statements[0];
      if (expr && ts.isExpressionStatement(expr) && (c.want ? trueWithoutFaults(expr.expression) : falseWithoutFaults(expr.expression))) {
        out.add(i);
        return;
      }
    }
  });
  return out;
}

module.exports = { faultGatedMutants };
