import {type Json, type OperationDef, type TarsType, fromJson, inParams, toJson, zeroValue} from '@tars-ts/core';

import {UserError} from '../errors.js';
import {signature} from './call-interface.js';

const COMPLEX = new Set(['vector', 'map', 'struct']);

function isBytes(t: TarsType): boolean {
  return t.kind === 'vector' && t.elem.kind === 'byte';
}

/** One command-line argument as a value of type `t`: strings as they are, scalars parsed, the rest as JSON. */
function fromArg(t: TarsType, text: string, name: string): unknown {
  if (t.kind === 'string') return text;
  if (COMPLEX.has(t.kind) && !isBytes(t)) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UserError(`argument ${name}: not valid JSON (${(error as Error).message})`, {
        hint: `pass ${name} as JSON, e.g. '${JSON.stringify(toJson(t, zeroValue(t)))}'`});
    }
    return fromJson(t, json, name);
  }
  return fromJson(t, text, name);
}

/**
 * The in-arguments of a call, checked against the signature before anything is sent: positional arguments in
 * parameter order (strings as given, numbers and booleans parsed, structs and containers as JSON, bytes as
 * base64), or `--data` with an object keyed by parameter name. Errors name the parameter and show the signature.
 */
export function buildArgs(op: OperationDef, positional: readonly string[], data: string | undefined): unknown[] {
  const ins = inParams(op);
  const sig = signature(op);
  try {
    if (data !== undefined) {
      if (positional.length > 0) throw new UserError('give the arguments either positionally or with --data, not both');
      let obj: unknown;
      try {
        obj = JSON.parse(data);
      } catch (error) {
        throw new UserError(`--data is not valid JSON (${(error as Error).message})`, {hint: `expected: ${sig}`});
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        throw new UserError('--data must be a JSON object keyed by parameter name', {hint: `expected: ${sig}`});
      }
      return argsFromObject(op, obj as Record<string, unknown>, '--data');
    }
    if (positional.length !== ins.length) {
      throw new UserError(`${op.name} takes ${ins.length} argument(s), got ${positional.length}`, {
        hint: `expected: ${sig}`});
    }
    return ins.map((p, i) => fromArg(p.type, positional[i]!, p.name));
  } catch (error) {
    if (error instanceof UserError) throw error;
    // A value of the wrong type: fromJson names the path; add the signature.
    throw new UserError((error as Error).message, {hint: `expected: ${sig}`, code: 'BAD_ARGUMENT'});
  }
}

/**
 * The in-arguments of `op` from an object keyed by parameter name (what `tars call --data` and the console's debugger
 * send), each converted from JSON to its parameter's type. A key that is no in-parameter, a missing parameter or a
 * value of the wrong type is a UserError naming it (`BAD_ARGUMENT` for a wrong value, whose message starts with the
 * parameter's path, e.g. `req.items[2]: expected int, got string`), with the signature as its hint. `what` names
 * the object in messages (`--data`, `args`).
 */
export function argsFromObject(op: OperationDef, given: Readonly<Record<string, unknown>>, what: string): unknown[] {
  const ins = inParams(op);
  const sig = signature(op);
  for (const key of Object.keys(given)) {
    if (!ins.some((p) => p.name === key)) {
      throw new UserError(`${what} has "${key}", which is not an in-parameter of ${op.name}`, {hint: `expected: ${sig}`});
    }
  }
  return ins.map((p) => {
    if (!Object.hasOwn(given, p.name)) {
      throw new UserError(`${what} lacks "${p.name}"`, {hint: `expected: ${sig}${what === '--data' ? '; --template prints a skeleton' : ''}`});
    }
    try {
      return fromJson(p.type, given[p.name], p.name);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError((error as Error).message, {hint: `expected: ${sig}`, code: 'BAD_ARGUMENT'});
    }
  });
}

/** A skeleton of the arguments (`--template`): each in-parameter with its type's zero value, as `--data` takes it. */
export function argsTemplate(op: OperationDef): Record<string, Json> {
  return Object.fromEntries(inParams(op).map((p) => [p.name, toJson(p.type, zeroValue(p.type))]));
}
