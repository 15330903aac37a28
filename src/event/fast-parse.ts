import type { z } from 'zod';
import {
  acceptAttributes,
  conversionIdIssue,
  EVENT_REFINEMENTS,
  eventSchema,
  type RawEvent,
} from './event-schema.js';

/**
 * The common valid event without zod's machinery: zod's safeParse was the
 * dearest step of a valid event's verdict on both paths (3 of the 10 µs
 * of decodeEvent, which runs twice per HTTP event). The zod schema stays
 * the one source of truth: this path is compiled from its definition (the
 * fields, their patterns, bounds, enum values and defaults), and it never
 * refuses anything. It returns what safeParse would output for an event
 * it can vouch for, or undefined, and then zod judges as before, issues
 * and all. A field kind or check it does not know turns it off for that
 * field (zod judges every event that holds it), and off altogether when
 * the field is required. test/event/fast-parse.test.ts checks that both
 * agree on the fuzz corpus and that generated valid events take this path.
 */
export function fastParse(input: unknown): RawEvent | undefined {
  if (PLAN === undefined || typeof input !== 'object' || input === null) return undefined;
  // JSON.parse gives plain objects: anything else (an array, a class, a
  // null prototype) is zod's to judge.
  if (Object.getPrototypeOf(input) !== Object.prototype) return undefined;
  const record = input as Record<string, unknown>;
  for (const key in record) {
    // strictObject: an unknown key is an issue; an inherited one is odd.
    if (!PLAN.names.has(key) || !Object.hasOwn(record, key)) return undefined;
  }
  const out: Record<string, unknown> = {};
  // In the shape's order, as zod builds its output.
  for (const field of PLAN.fields) {
    const value = record[field.name];
    if (value === undefined) {
      // An explicit undefined (not from JSON) is left to zod.
      if (Object.hasOwn(record, field.name)) return undefined;
      if (field.defaultOf !== undefined) out[field.name] = field.defaultOf();
      else if (field.required) return undefined;
      continue;
    }
    if (field.check === undefined) return undefined;
    const checked = field.check(value);
    if (checked === MISS) return undefined;
    out[field.name] = checked;
  }
  const event = out as RawEvent;
  if (conversionIdIssue(event.type, event.conversion_id) !== undefined) return undefined;
  return event;
}

const MISS = Symbol('miss');
/** The value as zod would output it, or MISS when zod must judge it. */
type Check = (value: unknown) => unknown;

interface Field {
  readonly name: string;
  readonly required: boolean;
  readonly defaultOf: (() => unknown) | undefined;
  /** Undefined: a kind this path does not know; zod judges an event that holds it. */
  readonly check: Check | undefined;
}

/** Fields whose zod type is a transform, with the same rule as a function. */
const CUSTOM: Readonly<Record<string, Check>> = {
  attributes: (value) => acceptAttributes(value) ?? MISS,
};

// biome-ignore lint/suspicious/noExplicitAny: zod's internal definitions are untyped here
type Def = any;

const PLAN = compile(eventSchema);

function compile(schema: typeof eventSchema) {
  const def: Def = schema._zod.def;
  // Strict (unknown keys refused) with exactly the refinements run above.
  if (def.catchall?._zod.def.type !== 'never') return undefined;
  if ((def.checks ?? []).length !== EVENT_REFINEMENTS) return undefined;
  const fields: Field[] = [];
  for (const [name, type] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const field = compileField(name, type._zod.def);
    if (field.required && field.check === undefined) return undefined;
    fields.push(field);
  }
  return { fields, names: new Set(fields.map((f) => f.name)) };
}

function compileField(name: string, def: Def): Field {
  if (def.type === 'default') {
    const inner = def.innerType._zod.def;
    // A primitive default is read once; zod's getter would copy an object each time.
    const value: unknown = def.defaultValue;
    const defaultOf = typeof value === 'object' ? () => def.defaultValue : () => value;
    return { name, required: false, defaultOf, check: checkOf(name, inner) };
  }
  if (def.type === 'optional') {
    const inner = def.innerType._zod.def;
    return { name, required: false, defaultOf: undefined, check: checkOf(name, inner) };
  }
  return { name, required: true, defaultOf: undefined, check: checkOf(name, def) };
}

function checkOf(name: string, def: Def): Check | undefined {
  if (def.type === 'pipe') return CUSTOM[name];
  if (def.type === 'enum') {
    const values = new Set<unknown>(Object.values(def.entries));
    return (value) => (values.has(value) ? value : MISS);
  }
  const tests = (def.checks ?? []).map((check: { _zod: { def: Def } }) => testOf(check._zod.def));
  if (tests.includes(undefined)) return undefined;
  const passes = allOf(tests as Test[]);
  if (def.type === 'string') {
    return (value) => (typeof value === 'string' && passes(value as never) ? value : MISS);
  }
  if (def.type === 'number') {
    // zod's z.number() refuses NaN and the infinities.
    return (value) =>
      typeof value === 'number' && Number.isFinite(value) && passes(value as never) ? value : MISS;
  }
  return undefined;
}

type Test = (value: never) => boolean;

/** The tests as one function: most fields have one or two (a loop costs more than they do). */
function allOf(tests: readonly Test[]): Test {
  const [first, second, ...rest] = tests;
  if (first === undefined) return () => true;
  if (second === undefined) return first;
  if (rest.length === 0) return (value) => first(value) && second(value);
  const tail = allOf(rest);
  return (value) => first(value) && second(value) && tail(value);
}

/** One zod check as a test, for the kinds the schema uses; undefined for any other. */
function testOf(check: Def): Test | undefined {
  switch (check.check) {
    case 'string_format': {
      const pattern: RegExp | undefined = check.format === 'regex' ? check.pattern : undefined;
      // A global or sticky pattern keeps state between tests.
      if (pattern === undefined || pattern.global || pattern.sticky) return undefined;
      return (value: string) => pattern.test(value);
    }
    case 'max_length':
      return (value: string) => value.length <= check.maximum;
    case 'min_length':
      return (value: string) => value.length >= check.minimum;
    case 'number_format':
      return check.format === 'safeint'
        ? (value: number) => Number.isSafeInteger(value)
        : undefined;
    case 'greater_than':
      return check.inclusive
        ? (value: number) => value >= check.value
        : (value: number) => value > check.value;
    case 'less_than':
      return check.inclusive
        ? (value: number) => value <= check.value
        : (value: number) => value < check.value;
    default:
      return undefined;
  }
}

/** For the tests: whether the plan compiled (a schema change can turn it off). */
export const fastPathEnabled = PLAN !== undefined;
