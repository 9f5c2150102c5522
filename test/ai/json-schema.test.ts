import t from 'tap';
import { compileSchema, describeErrors, parseJsonAnswer, SchemaError } from '../../src/ai/json-schema.js';
import { BANK_STATEMENT_SCHEMA, INVOICE_SCHEMA } from '../../src/ai/presets.js';

t.test('model answers are read leniently: fences and chatter around the JSON', async (t) => {
  t.same(parseJsonAnswer('{"a":1}'), { ok: true, value: { a: 1 } });
  t.same(parseJsonAnswer('```json\n{"a": [1, 2]}\n```'), { ok: true, value: { a: [1, 2] } });
  t.same(parseJsonAnswer('Here is the data:\n{"a": "x"}\nHope it helps.'), { ok: true, value: { a: 'x' } });
  t.same(parseJsonAnswer('[1,2]'), { ok: true, value: [1, 2] });
  t.match(parseJsonAnswer('{"a": 1,,}'), { ok: false, problem: /not valid JSON/ });
  t.match(parseJsonAnswer('no json at all'), { ok: false });
});

t.test('schemas compile; errors read as paths and reasons', async (t) => {
  const validate = compileSchema({ type: 'object', properties: { total: { type: 'number' } }, required: ['total'] });
  t.notOk(validate({ total: 'ten' }));
  t.equal(describeErrors(validate.errors), '/total must be number');
  t.notOk(validate({}));
  t.match(describeErrors(validate.errors), /\(root\) must have required property 'total'/);
  t.ok(compileSchema({ type: 'object', properties: { d: { type: 'string', format: 'date' } } })({ d: 'not a date' }), 'formats are not enforced');
  for (const schema of [INVOICE_SCHEMA, BANK_STATEMENT_SCHEMA]) t.ok(compileSchema(schema), 'presets compile');
});

t.test('hostile or broken schemas are refused with a SchemaError', async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', [1, 2], /must be a JSON object/],
    ['null', null, /must be a JSON object/],
    ['unknown type', { type: 'banana' }, /not valid/],
    ['remote $ref', { $ref: 'https://example.com/schema.json' }, /not valid/],
    ['back-reference', { type: 'string', pattern: '(a)\\1' }, /cannot be used.*no back-references or lookaround/],
    ['lookahead', { type: 'string', pattern: '^(?=a)' }, /cannot be used/],
    ['bad regex', { type: 'string', pattern: '([' }, /cannot be used/],
    ['a pattern of 1,001 characters', { type: 'string', pattern: 'a'.repeat(1001) }, /longer than 1000/],
    ['too deep', JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)), /nested deeper/],
  ];
  for (const [name, schema, message] of cases) t.throws(() => compileSchema(schema), { name: 'SchemaError', message }, name);
  t.type(new SchemaError('x'), Error);
});

t.test('patterns run on RE2: catastrophic ones are harmless, long strings are matched', async (t) => {
  const validate = compileSchema({ type: 'string', pattern: '^[A-Z]{3}$' });
  t.ok(validate('EUR'));
  t.notOk(validate('euro'));
  t.ok(compileSchema({ type: 'string', pattern: 'a' })('a'.repeat(20_000)), 'a long string is matched, not refused');
  // With a backtracking engine each of these would run for longer than the universe exists.
  const nested = compileSchema({ type: 'object', properties: { a: { type: 'string', pattern: '^(a+)+$' }, b: { type: 'string', pattern: '(a*)*b' } } });
  t.notOk(nested({ a: `${'a'.repeat(100_000)}!` }));
  t.notOk(nested({ b: 'a'.repeat(100_000) }));
  t.ok(nested({ a: 'aaaa', b: 'aab' }));
  const keys = compileSchema({ type: 'object', patternProperties: { '^(x+x+)+y$': { type: 'number' } } });
  t.ok(keys({ [`${'x'.repeat(5000)}`]: 'not checked: the key does not match' }));
  t.notOk(keys({ xxy: 'not a number' }), 'patternProperties use RE2 too');
  t.ok(compileSchema({ type: 'string', pattern: '^\\p{Lu}\\d{2}$' })('É12'), 'unicode classes work');
});
