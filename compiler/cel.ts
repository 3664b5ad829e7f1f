/** Conditions to CEL strings, exactly as the reference compiler writes them. */
import { isChannel, type ConditionOp, type Literal } from '../dsl/graph';
import type { IrParameterType } from '../dsl/types';
import { additionalInputName, type CChannel } from './channels';

type Operand = CChannel | Literal;

function literalType(v: Literal): IrParameterType {
  if (typeof v === 'string') return 'STRING';
  if (typeof v === 'boolean') return 'BOOLEAN';
  return Number.isInteger(v) ? 'NUMBER_INTEGER' : 'NUMBER_DOUBLE';
}

function isC(v: Operand): v is CChannel {
  return typeof v === 'object' && v !== null;
}

function one(op: ConditionOp, toC: (c: unknown) => CChannel): string {
  const sides: Operand[] = [op.left, op.right].map((s) => (isChannel(s) ? toC(s) : (s as Literal)));
  const types = new Set<IrParameterType>();
  for (const s of sides) {
    if (isC(s)) {
      if (s.io.kind !== 'param' || !['STRING', 'NUMBER_INTEGER', 'NUMBER_DOUBLE', 'BOOLEAN'].includes(s.io.irType)) {
        throw new Error(`conditions compare strings, numbers and booleans; input '${additionalInputName(s)}' is not one.`);
      }
      types.add(s.io.irType);
    } else {
      if (!['string', 'number', 'boolean'].includes(typeof s)) {
        throw new Error(`a condition compares a ref with a string, number or boolean; got ${typeof s}.`);
      }
      types.add(literalType(s));
    }
  }
  let canonical: IrParameterType;
  if (types.size === 1) canonical = [...types][0]!;
  else if (types.has('STRING')) canonical = 'STRING';
  else if (types.has('BOOLEAN')) canonical = 'BOOLEAN';
  else canonical = 'NUMBER_DOUBLE';
  const values = sides.map((s) => {
    let value: string;
    let type: IrParameterType;
    if (isC(s)) {
      value = `inputs.parameter_values['${additionalInputName(s)}']`;
      type = (s.io as { irType: IrParameterType }).irType;
      if (type === 'NUMBER_INTEGER') value = `int(${value})`;
    } else if (typeof s === 'string') {
      if (s.includes("'")) throw new Error(`the string ${JSON.stringify(s)} in a condition contains a single quote, which CEL strings here cannot hold.`);
      value = `'${s}'`;
      type = 'STRING';
    } else if (typeof s === 'boolean') {
      value = String(s);
      type = 'BOOLEAN';
    } else {
      value = String(s);
      type = literalType(s);
    }
    if (type !== canonical) {
      if (canonical === 'STRING') value = `'${value}'`;
      else if (canonical === 'BOOLEAN') value = Number(value) === 0 ? 'true' : 'false';
      else value = `double(${value})`;
    }
    return value;
  });
  const text = `${values[0]} ${op.operator} ${values[1]}`;
  return op.negate ? `!(${text})` : text;
}

/** A conjunction of conditions (elif/else carry the negations of earlier branches). */
export function conditionToCel(ops: readonly ConditionOp[], toC: (c: unknown) => CChannel): string {
  return ops.map((o) => one(o, toC)).join(' && ');
}
