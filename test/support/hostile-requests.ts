/**
 * Random requests for the property test of every route: hostile headers, path ids, query strings
 * and bodies, as fast-check arbitraries. A route is one row of a table (test/http/hostile-input.test.ts):
 * a new route adds a row, the invariants stay the same.
 */
import fc from "fast-check";

export type Probe = { method: string; path: string; headers: Record<string, string>; body?: string };

/** Printable ASCII: what a Headers object accepts as a value, and where parsers tend to slip. */
const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 120,
});
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);

/** Strings a path segment may carry: real ids, lookalikes, encodings (malformed ones too), long ones. */
export function pathIds(realIds: readonly string[]): fc.Arbitrary<string> {
  const raw = fc.oneof(
    fc.constantFrom("%", "%E0%A4%A", "%00", "%2F..%2F", "..", ".", "%C0%AE", "~", "%FF", "%ZZ", ""),
    fc.stringMatching(/^[A-Za-z0-9%._~-]{0,40}$/),
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...realIds) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.ulid(), fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 20 }))
        .map(encodeURIComponent),
    },
    { weight: 2, arbitrary: raw },
    { weight: 1, arbitrary: fc.integer({ min: 300, max: 5000 }).map((length) => "x".repeat(length)) },
  );
}

/** `?a=b&…` from the route's own parameter names and values, and from anything at all. */
export function queryStrings(parameters: Record<string, readonly string[]>): fc.Arbitrary<string> {
  const names = Object.keys(parameters);
  const pair = fc.oneof(
    names.length > 0
      ? fc
          .constantFrom(...names)
          .chain((name) =>
            fc.tuple(
              fc.constant(name),
              fc.oneof(fc.constantFrom(...(parameters[name] ?? [""])), printable, fc.integer().map(String)),
            ),
          )
      : fc.tuple(printable, printable),
    fc.tuple(printable, printable),
  );
  return fc.oneof(
    fc
      .array(pair, { maxLength: 4 })
      .map((pairs) =>
        pairs.length === 0
          ? ""
          : `?${pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join("&")}`,
      ),
    fc.stringMatching(/^\?[A-Za-z0-9%=&+;._~-]{0,60}$/),
  );
}

/** Headers of a caller that mostly has the right key (so that requests reach the route), and sometimes not. */
export function callerHeaders(keys: {
  valid: string;
  revoked: string;
}): fc.Arbitrary<Record<string, string>> {
  const authorization = fc.oneof(
    { weight: 12, arbitrary: fc.constant(`Bearer ${keys.valid}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `bearer   ${keys.valid}  `,
        `Bearer ${keys.revoked}`,
        "Bearer",
        "Basic dXNlcjpwYXNz",
      ),
    },
    { weight: 1, arbitrary: printable },
    { weight: 1, arbitrary: printable.map((value) => `Bearer ${value}`) },
  );
  return fc
    .record(
      {
        extra: fc.dictionary(headerName, printable, { maxKeys: 3 }),
        authorization,
        "content-type": fc.oneof(
          fc.constantFrom("application/json", "text/plain", "application/json; charset=utf-16"),
          printable,
        ),
        "idempotency-key": fc.oneof(
          printable,
          fc.constant(""),
          fc.integer({ min: 250, max: 300 }).map((length) => "k".repeat(length)),
        ),
      },
      { requiredKeys: ["extra"] },
    )
    .map(({ extra, ...named }) => ({ ...extra, ...(named as Record<string, string>) }));
}

/**
 * Bodies for a JSON route: its own fields all right (so that some requests succeed), or each now
 * right, now wrong in the way the field's rules expect, now null, now anything at all; JSON that is not an object; text that is not JSON; bodies over
 * the size limit.
 */
export function jsonBodies(
  fields: Record<string, { right: fc.Arbitrary<unknown>; wrong: fc.Arbitrary<unknown> }>,
  options: { required: string[]; tooLarge: number },
): fc.Arbitrary<string> {
  const named = Object.entries(fields);
  const right = Object.fromEntries(named.map(([name, field]) => [name, field.right]));
  const withAnything = Object.fromEntries(
    named.map(([name, field]) => [
      name,
      fc.oneof({ weight: 2, arbitrary: field.right }, field.wrong, fc.constant(null), fc.anything()),
    ]),
  );
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record(right, { requiredKeys: options.required }).map((body) => JSON.stringify(body)),
    },
    {
      weight: 4,
      arbitrary: fc.record(withAnything, { requiredKeys: [] }).map((body) => JSON.stringify(body)),
    },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("", "{", "[]", "null", '{"__proto__":{"x":1}}', '{"model":1e999}', "\u0000"),
    },
    { weight: 1, arbitrary: fc.constant(JSON.stringify({ prompt: "x".repeat(options.tooLarge) })) },
  );
}

export function probes(parts: {
  methods: readonly string[];
  path: fc.Arbitrary<string>;
  headers: fc.Arbitrary<Record<string, string>>;
  body?: fc.Arbitrary<string>;
}): fc.Arbitrary<Probe> {
  return fc
    .record({
      method: fc.constantFrom(...parts.methods),
      path: parts.path,
      headers: parts.headers,
      body: parts.body ?? fc.constant(undefined),
    })
    .map(({ method, path, headers, body }) => ({
      method,
      path,
      headers,
      // A GET or HEAD with a body is not a request fetch can make.
      ...(body === undefined || method === "GET" || method === "HEAD" ? {} : { body }),
    }));
}
