/**
 * Safe TypeScript identifiers for IDL names. IDL identifiers never contain `$`, so every name the generator invents
 * for its own plumbing carries one (`Hello$def`, `$tars`, `$ctx`) and cannot clash with user names; user names that
 * are JavaScript/TypeScript reserved words or shadow a global the generated code uses get a trailing `_`.
 */

/** ECMAScript reserved words and strict-mode restrictions: never usable as a binding name. */
const RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null',
  'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield',
  'let', 'static', 'implements', 'interface', 'package', 'private', 'protected', 'public', 'await', 'arguments',
  'eval', 'undefined', 'NaN', 'Infinity',
]);

/**
 * Names that cannot name a type (TypeScript's predefined types) or would shadow a global the generated code uses
 * (`Map`, `Promise`, ...). Structs, enums and interfaces are types and values at once.
 */
const TYPE_RESERVED = new Set([
  'any', 'unknown', 'never', 'object', 'number', 'bigint', 'boolean', 'symbol', 'string', 'type', 'intrinsic',
  'Map', 'Uint8Array', 'Promise', 'Partial', 'Object', 'Array', 'Record', 'globalThis', 'Symbol', 'Error', 'JSON',
]);

/** A name for a parameter or constant. */
export function safeValueName(name: string): string {
  return RESERVED.has(name) ? `${name}_` : name;
}

/** A name for a struct, enum or interface (a type and a value at once). */
export function safeTypeName(name: string): string {
  return RESERVED.has(name) || TYPE_RESERVED.has(name) ? `${name}_` : name;
}

/**
 * Methods that would be `constructor` or shadow a member every object inherits (`toString`, `valueOf`, ...): an
 * inherited member would make a missing implementation look present, and TypeScript asks for `override`.
 */
const OBJECT_MEMBERS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** A class member name for an operation. */
export function safeMethodName(name: string): string {
  return OBJECT_MEMBERS.has(name) ? `${name}_` : name;
}

/** A property key in an object literal: computed for `__proto__` (a plain key would set the prototype). */
export function propertyKey(name: string): string {
  return name === '__proto__' ? '["__proto__"]' : name;
}

/** A property access on `obj`. */
export function propertyAccess(obj: string, name: string): string {
  return name === '__proto__' ? `${obj}["__proto__"]` : `${obj}.${name}`;
}

/** A property name inside an interface or type literal. */
export function typeMemberName(name: string): string {
  return name === '__proto__' ? '"__proto__"' : name;
}

/** The generated module name of a .tars file: `Hello.tars` -> `HelloTars` (as tars2node names its struct files). */
export function generatedBaseName(tarsFile: string): string {
  const base = tarsFile.replace(/^.*[\\/]/, '').replace(/\.tars$/i, '');
  return `${base}Tars`;
}

/** An identifier for the import alias of another generated file. */
export function importAlias(baseName: string): string {
  return `$${baseName.replace(/[^A-Za-z0-9_]/g, '_')}`;
}
