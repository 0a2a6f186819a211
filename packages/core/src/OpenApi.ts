/**
 * The OpenAPI 3.0 document of the Figgro API as this project understands it,
 * generated from `Endpoints.ts` by walking the Schema AST (never written by
 * hand), and `diff`, which compares two documents — ours and the real
 * `swagger.json` — and lists every difference, so that `spec check` can show
 * which [assumed] detail the real API contradicts.
 */
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import * as Endpoints from "./Endpoints.js"
import { Envelope, ErrorBody } from "./Schemas.js"

/** A JSON Schema object as OpenAPI 3.0 writes it (the subset we produce and read). */
export interface SchemaObject {
  readonly type?: string
  readonly format?: string
  readonly nullable?: boolean
  readonly properties?: Readonly<Record<string, SchemaObject>>
  readonly required?: ReadonlyArray<string>
  readonly items?: SchemaObject
  readonly $ref?: string
  readonly enum?: ReadonlyArray<unknown>
  readonly default?: unknown
  readonly minimum?: number
  readonly description?: string
  readonly oneOf?: ReadonlyArray<SchemaObject>
}

export interface ParameterObject {
  readonly name: string
  readonly in: "query" | "header" | "path" | "cookie"
  readonly required: boolean
  readonly description?: string
  readonly schema: SchemaObject
}

export interface OperationObject {
  readonly tags: ReadonlyArray<string>
  readonly operationId: string
  readonly summary: string
  readonly parameters: ReadonlyArray<ParameterObject>
  readonly responses: Readonly<
    Record<string, { readonly description: string; readonly content?: Record<string, { readonly schema: SchemaObject }> }>
  >
}

/** The generated document. */
export interface OpenApiDocument {
  readonly openapi: string
  readonly info: { readonly title: string; readonly version: string }
  readonly servers: ReadonlyArray<{ readonly url: string }>
  readonly security: ReadonlyArray<Record<string, ReadonlyArray<string>>>
  readonly paths: Readonly<Record<string, { readonly get: OperationObject }>>
  readonly components: {
    readonly schemas: Readonly<Record<string, SchemaObject>>
    readonly securitySchemes: Readonly<Record<string, unknown>>
  }
}

// --- Schema AST → JSON Schema ------------------------------------------------------

const isNull = (ast: AST.AST): boolean => AST.isLiteral(ast) && ast.literal === null
const isUndefined = (ast: AST.AST): boolean => AST.isUndefinedKeyword(ast)

/** The `type`/`format` a `jsonSchema` annotation declares (patterns and the rest are left out). */
const annotated = (ast: AST.AST): SchemaObject => {
  const annotation = Option.getOrUndefined(AST.getJSONSchemaAnnotation(ast)) as Record<string, unknown> | undefined
  if (annotation === undefined) return {}
  return {
    ...(typeof annotation["type"] === "string" ? { type: annotation["type"] } : {}),
    ...(typeof annotation["format"] === "string" ? { format: annotation["format"] } : {})
  }
}

/** `Schema.Int` has `type: integer` only; C# (the real API's stack) says int32. */
const withIntegerFormat = (schema: SchemaObject): SchemaObject =>
  schema.type === "integer" && schema.format === undefined ? { ...schema, format: "int32" } : schema

/** The wire (encoded) shape of a schema AST as an OpenAPI 3.0 schema. */
export const fromAst = (ast: AST.AST): SchemaObject => {
  switch (ast._tag) {
    case "Refinement":
      return withIntegerFormat({ ...fromAst(ast.from), ...annotated(ast) })
    case "Transformation":
      return fromAst(ast.from)
    case "Suspend":
      return fromAst(ast.f())
    case "StringKeyword":
      return { type: "string", ...annotated(ast) }
    case "NumberKeyword":
      return withIntegerFormat({ type: "number", ...annotated(ast) })
    case "BooleanKeyword":
      return { type: "boolean", ...annotated(ast) }
    case "Literal":
      return ast.literal === null ? { nullable: true } : { type: typeof ast.literal, enum: [ast.literal] }
    case "Union": {
      // `NullOr(X)` is X with `nullable: true`; `optional` adds `undefined`, which JSON has no word for.
      const members = ast.types.filter((member) => !isNull(member) && !isUndefined(member))
      const nullable = ast.types.some(isNull)
      const base: SchemaObject = members.length === 1 ? fromAst(members[0]!) : { oneOf: members.map(fromAst) }
      return nullable ? { ...base, nullable: true } : base
    }
    case "TupleType":
      return { type: "array", items: ast.rest[0] === undefined ? {} : fromAst(ast.rest[0].type) }
    case "TypeLiteral": {
      const properties: Record<string, SchemaObject> = {}
      const required: Array<string> = []
      for (const signature of ast.propertySignatures) {
        const name = String(signature.name)
        properties[name] = fromAst(signature.type)
        if (!signature.isOptional) required.push(name)
      }
      return { type: "object", properties, required }
    }
    default:
      return {}
  }
}

// --- the document ----------------------------------------------------------------------

const identifierOf = (schema: Schema.Schema.Any, fallback: string): string =>
  Option.getOrElse(AST.getIdentifierAnnotation(schema.ast), () => fallback)

const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` })

const errorResponses = {
  "400": "BAD_REQUEST: malformed query parameters or invalid date format",
  "401": "UNAUTHORIZED: missing, invalid or expired key",
  "403": "FORBIDDEN: the key lacks access to the resource",
  "404": "NOT_FOUND: endpoint or resource does not exist",
  "429": "RATE_LIMITED: over 1,000 requests per rolling hour; see Retry-After",
  "500": "INTERNAL_ERROR: unexpected server error",
  "503": "UNAVAILABLE: maintenance"
} as const

const pageParameter: ParameterObject = {
  name: "page",
  in: "query",
  required: false,
  description: "Page number, 1-based. Defaults to 1.",
  schema: { type: "integer", format: "int32", default: 1, minimum: 1 }
}

const dateParameter = (name: "startDate" | "endDate", field: string): ParameterObject => ({
  name,
  in: "query",
  required: false,
  description: `ISO 8601 date or date-time, inclusive, on \`${field}\`.`,
  schema: { type: "string", format: "date-time" }
})

/** `/api/v1/Inventory/getproducts` → tag `Inventory`, operation `getproducts`. */
const segments = (path: string) => {
  const parts = path.split("/").filter((part) => part !== "")
  return { tag: parts[parts.length - 2] ?? "default", operationId: parts[parts.length - 1] ?? path }
}

/**
 * The OpenAPI 3.0 document, derived from `Endpoints.all`: one GET per
 * endpoint with `page` (and `startDate`/`endDate` where the endpoint has a
 * date field), the envelope around each item schema, and the error body.
 */
export const document = (): OpenApiDocument => {
  const schemas: Record<string, SchemaObject> = { ErrorBody: fromAst(ErrorBody.ast) }
  const paths: Record<string, { readonly get: OperationObject }> = {}
  const envelope = fromAst(Envelope.ast)
  for (const endpoint of Endpoints.all) {
    const item = identifierOf(endpoint.item, endpoint.name)
    schemas[item] = fromAst(endpoint.item.ast)
    schemas[`${item}Page`] = {
      ...envelope,
      properties: { ...envelope.properties, data: { type: "array", items: ref(item) } }
    }
    const { operationId, tag } = segments(endpoint.path)
    const dateField: string | undefined = endpoint.dateField
    paths[endpoint.path] = {
      get: {
        tags: [tag],
        operationId,
        summary: `One page of ${endpoint.name}`,
        parameters: dateField === undefined
          ? [pageParameter]
          : [pageParameter, dateParameter("startDate", dateField), dateParameter("endDate", dateField)],
        responses: {
          "200": { description: "OK", content: { "application/json": { schema: ref(`${item}Page`) } } },
          ...Object.fromEntries(
            Object.entries(errorResponses).map(([status, description]) => [
              status,
              { description, content: { "application/json": { schema: ref("ErrorBody") } } }
            ])
          )
        }
      }
    }
  }
  return {
    openapi: "3.0.3",
    info: { title: "Figgro ERP API", version: "v1" },
    servers: [{ url: "https://developer.figgro.com" }],
    security: [{ ApiKey: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: { ApiKey: { type: "apiKey", in: "header", name: "X-Api-Key" } }
    }
  }
}

// --- diff ---------------------------------------------------------------------------------

/**
 * One way the actual document differs from the expected one. `path` is the
 * URL path; `field` a location in the 200 response body, e.g. `data[].price`.
 */
export type Difference =
  | { readonly _tag: "MissingPath"; readonly path: string }
  | { readonly _tag: "ExtraPath"; readonly path: string }
  | { readonly _tag: "MissingOperation"; readonly path: string; readonly method: string }
  | { readonly _tag: "ExtraOperation"; readonly path: string; readonly method: string }
  | { readonly _tag: "MissingParameter"; readonly path: string; readonly name: string }
  | { readonly _tag: "ExtraParameter"; readonly path: string; readonly name: string }
  | {
    readonly _tag: "ParameterMismatch"
    readonly path: string
    readonly name: string
    readonly aspect: "in" | "type" | "required"
    readonly expected: string
    readonly actual: string
  }
  | { readonly _tag: "MissingResponse"; readonly path: string; readonly status: string }
  | { readonly _tag: "MissingField"; readonly path: string; readonly field: string }
  | { readonly _tag: "ExtraField"; readonly path: string; readonly field: string }
  | {
    readonly _tag: "TypeMismatch"
    readonly path: string
    readonly field: string
    readonly expected: string
    readonly actual: string
  }
  | {
    readonly _tag: "NullabilityMismatch"
    readonly path: string
    readonly field: string
    readonly expected: boolean
    readonly actual: boolean
  }
  | {
    readonly _tag: "RequiredMismatch"
    readonly path: string
    readonly field: string
    readonly expected: boolean
    readonly actual: boolean
  }

/** One line a person can act on. */
export const formatDifference = (d: Difference): string => {
  switch (d._tag) {
    case "MissingPath":
      return `${d.path}: path missing from the actual document`
    case "ExtraPath":
      return `${d.path}: path not in our definitions`
    case "MissingOperation":
      return `${d.path}: ${d.method.toUpperCase()} missing`
    case "ExtraOperation":
      return `${d.path}: ${d.method.toUpperCase()} not in our definitions`
    case "MissingParameter":
      return `${d.path}: parameter '${d.name}' missing`
    case "ExtraParameter":
      return `${d.path}: parameter '${d.name}' not in our definitions`
    case "ParameterMismatch":
      return `${d.path}: parameter '${d.name}' ${d.aspect}: expected ${d.expected}, actual ${d.actual}`
    case "MissingResponse":
      return `${d.path}: no ${d.status} response schema`
    case "MissingField":
      return `${d.path}: field '${d.field}' missing`
    case "ExtraField":
      return `${d.path}: field '${d.field}' not in our definitions`
    case "TypeMismatch":
      return `${d.path}: field '${d.field}' type: expected ${d.expected}, actual ${d.actual}`
    case "NullabilityMismatch":
      return `${d.path}: field '${d.field}' expected ${d.expected ? "nullable" : "not nullable"}, actual ${d.actual ? "nullable" : "not nullable"}`
    case "RequiredMismatch":
      return `${d.path}: field '${d.field}' expected ${d.expected ? "required" : "optional"}, actual ${d.actual ? "required" : "optional"}`
  }
}

type Json = Readonly<Record<string, unknown>>
const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)
const objectAt = (u: unknown, key: string): Json | undefined => (isObject(u) && isObject(u[key]) ? u[key] : undefined)
const stringAt = (u: unknown, key: string): string | undefined =>
  isObject(u) && typeof u[key] === "string" ? u[key] : undefined

/** A schema reduced to what we compare, with `$ref`, `allOf` and the three ways of saying "nullable" resolved. */
interface Shape {
  readonly type: string | undefined
  readonly format: string | undefined
  readonly nullable: boolean
  readonly properties: ReadonlyMap<string, Json> | undefined
  readonly required: ReadonlySet<string>
  readonly items: Json | undefined
}

const resolve = (root: unknown, schema: Json, depth = 0): Json => {
  const target = stringAt(schema, "$ref")
  if (target !== undefined && depth < 32) {
    // `#/components/schemas/X` (3.x) or `#/definitions/X` (2.0).
    const found = target.replace(/^#\//, "").split("/").reduce<unknown>(
      (node, key) => (isObject(node) ? node[key.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined),
      root
    )
    return isObject(found) ? resolve(root, found, depth + 1) : {}
  }
  // Swashbuckle wraps a `$ref` with siblings as `allOf: [{ $ref }]`.
  const allOf = schema["allOf"]
  if (Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0])) {
    const { allOf: _, ...rest } = schema
    return { ...resolve(root, allOf[0], depth + 1), ...rest }
  }
  return schema
}

const shapeOf = (root: unknown, raw: Json): Shape => {
  let schema = resolve(root, raw)
  let nullable = schema["nullable"] === true || schema["x-nullable"] === true
  // 3.1: `anyOf`/`oneOf` with `{ type: "null" }`.
  for (const key of ["anyOf", "oneOf"]) {
    const members = schema[key]
    if (Array.isArray(members)) {
      const rest = members.filter((m) => !(isObject(m) && m["type"] === "null"))
      if (rest.length < members.length) nullable = true
      if (rest.length === 1 && isObject(rest[0])) schema = resolve(root, rest[0])
    }
  }
  let type: unknown = schema["type"]
  // 3.1: `type: ["string", "null"]`.
  if (Array.isArray(type)) {
    if (type.includes("null")) nullable = true
    const rest = type.filter((t) => t !== "null")
    type = rest.length === 1 ? rest[0] : rest.join("|")
  }
  const properties = objectAt(schema, "properties")
  const required = Array.isArray(schema["required"]) ? schema["required"].filter((r) => typeof r === "string") : []
  if (type === undefined && properties !== undefined) type = "object"
  return {
    type: typeof type === "string" ? type : undefined,
    format: stringAt(schema, "format"),
    nullable: nullable || schema["nullable"] === true,
    properties: properties === undefined
      ? undefined
      : new Map(Object.entries(properties).filter((e): e is [string, Json] => isObject(e[1]))),
    required: new Set(required),
    items: objectAt(schema, "items")
  }
}

const typeLabel = (shape: Pick<Shape, "type" | "format">): string =>
  shape.type === undefined ? "any" : shape.format === undefined ? shape.type : `${shape.type}/${shape.format}`

const compareSchemas = (
  context: { readonly path: string; readonly expectedRoot: unknown; readonly actualRoot: unknown },
  expectedRaw: Json,
  actualRaw: Json,
  field: string,
  out: Array<Difference>,
  depth = 0
): void => {
  if (depth > 16) return
  const expected = shapeOf(context.expectedRoot, expectedRaw)
  const actual = shapeOf(context.actualRoot, actualRaw)
  const { path } = context
  const location = field === "" ? "(body)" : field
  if (typeLabel(expected) !== typeLabel(actual)) {
    out.push({ _tag: "TypeMismatch", path, field: location, expected: typeLabel(expected), actual: typeLabel(actual) })
  }
  if (expected.nullable !== actual.nullable) {
    out.push({ _tag: "NullabilityMismatch", path, field: location, expected: expected.nullable, actual: actual.nullable })
  }
  if (expected.properties !== undefined && actual.properties !== undefined) {
    const prefix = field === "" ? "" : `${field}.`
    for (const [name, schema] of expected.properties) {
      const other = actual.properties.get(name)
      if (other === undefined) {
        out.push({ _tag: "MissingField", path, field: `${prefix}${name}` })
        continue
      }
      const isRequired = expected.required.has(name)
      if (isRequired !== actual.required.has(name)) {
        out.push({
          _tag: "RequiredMismatch",
          path,
          field: `${prefix}${name}`,
          expected: isRequired,
          actual: actual.required.has(name)
        })
      }
      compareSchemas(context, schema, other, `${prefix}${name}`, out, depth + 1)
    }
    for (const name of actual.properties.keys()) {
      if (!expected.properties.has(name)) out.push({ _tag: "ExtraField", path, field: `${prefix}${name}` })
    }
  }
  if (expected.items !== undefined && actual.items !== undefined) {
    compareSchemas(context, expected.items, actual.items, `${field}[]`, out, depth + 1)
  }
}

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

/** The parameters of an operation, merged with the path item's, by name. */
const parametersOf = (root: unknown, pathItem: Json, operation: Json): Map<string, Json> => {
  const all = [pathItem["parameters"], operation["parameters"]].flatMap((list) => (Array.isArray(list) ? list : []))
  const byName = new Map<string, Json>()
  for (const raw of all) {
    if (!isObject(raw)) continue
    const parameter = resolve(root, raw)
    const name = stringAt(parameter, "name")
    if (name !== undefined) byName.set(name, parameter)
  }
  return byName
}

/** The 200 response's JSON schema (3.x `content`, or 2.0 `schema`). */
const okSchema = (operation: Json): Json | undefined => {
  const responses = objectAt(operation, "responses")
  const ok = objectAt(responses, "200") ?? objectAt(responses, "2XX") ?? objectAt(responses, "default")
  if (ok === undefined) return undefined
  const content = objectAt(ok, "content")
  if (content === undefined) return objectAt(ok, "schema")
  const media = objectAt(content, "application/json") ?? Object.values(content).find(isObject)
  return objectAt(media, "schema")
}

/** A parameter's type: 3.x keeps it in `schema`, 2.0 on the parameter itself. */
const parameterType = (parameter: Json): string =>
  typeLabel({
    type: stringAt(objectAt(parameter, "schema") ?? parameter, "type"),
    format: stringAt(objectAt(parameter, "schema") ?? parameter, "format")
  })

/**
 * Every difference between two OpenAPI documents (3.0, 3.1, or Swagger 2.0
 * for `actual`): paths, operations, parameters (name, location, type,
 * required), and the 200 response body (field names, types with format,
 * nullability, required-ness), resolving `$ref`s on both sides. Component
 * names are not compared: only the shapes they stand for.
 *
 * @example
 * ```ts
 * OpenApi.diff(OpenApi.document(), realSwaggerJson).map(OpenApi.formatDifference)
 * ```
 */
export const diff = (expected: unknown, actual: unknown): ReadonlyArray<Difference> => {
  const out: Array<Difference> = []
  const expectedPaths = objectAt(expected, "paths") ?? {}
  const actualPaths = objectAt(actual, "paths") ?? {}
  for (const path of Object.keys(expectedPaths)) {
    if (!isObject(actualPaths[path])) out.push({ _tag: "MissingPath", path })
  }
  for (const path of Object.keys(actualPaths)) {
    if (!isObject(expectedPaths[path])) out.push({ _tag: "ExtraPath", path })
  }
  for (const [path, expectedItem] of Object.entries(expectedPaths)) {
    const actualItem = actualPaths[path]
    if (!isObject(expectedItem) || !isObject(actualItem)) continue
    for (const method of methods) {
      const e = objectAt(expectedItem, method)
      const a = objectAt(actualItem, method)
      if (e !== undefined && a === undefined) out.push({ _tag: "MissingOperation", path, method })
      if (e === undefined && a !== undefined) out.push({ _tag: "ExtraOperation", path, method })
      if (e === undefined || a === undefined) continue
      const context = { path, expectedRoot: expected, actualRoot: actual }
      compareOperations(context, expectedItem, e, actualItem, a, out)
    }
  }
  return out
}

const compareOperations = (
  context: { readonly path: string; readonly expectedRoot: unknown; readonly actualRoot: unknown },
  expectedItem: Json,
  expected: Json,
  actualItem: Json,
  actual: Json,
  out: Array<Difference>
): void => {
  const { path } = context
  const expectedParameters = parametersOf(context.expectedRoot, expectedItem, expected)
  const actualParameters = parametersOf(context.actualRoot, actualItem, actual)
  for (const [name, e] of expectedParameters) {
    const a = actualParameters.get(name)
    if (a === undefined) {
      out.push({ _tag: "MissingParameter", path, name })
      continue
    }
    const aspects = [
      ["in", String(e["in"]), String(a["in"])],
      ["type", parameterType(e), parameterType(a)],
      ["required", String(e["required"] === true), String(a["required"] === true)]
    ] as const
    for (const [aspect, x, y] of aspects) {
      if (x !== y) out.push({ _tag: "ParameterMismatch", path, name, aspect, expected: x, actual: y })
    }
  }
  for (const name of actualParameters.keys()) {
    if (!expectedParameters.has(name)) out.push({ _tag: "ExtraParameter", path, name })
  }
  const e = okSchema(expected)
  const a = okSchema(actual)
  if (e !== undefined && a === undefined) out.push({ _tag: "MissingResponse", path, status: "200" })
  if (e !== undefined && a !== undefined) compareSchemas(context, e, a, "", out)
}
