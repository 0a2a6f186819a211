/**
 * The known fields of an endpoint's records, read from its item schema: the
 * columns a tabular sink (CSV, SQLite) writes before any unknown field.
 *
 * Derived from the schema's AST, so a field added to `Endpoints.ts` becomes a
 * column with no other change.
 */
import * as SchemaAST from "effect/SchemaAST"
import type * as Schema from "effect/Schema"

/** The JSON type of a field's values (nulls aside); `json` when mixed or structured. */
export type FieldKind = "string" | "number" | "boolean" | "json"

export interface KnownField {
  readonly name: string
  readonly kind: FieldKind
  /** May be absent or `null`. */
  readonly optional: boolean
}

/**
 * The property signatures of `schema`'s type side, in declaration order.
 * Only string-named properties; an index signature adds nothing.
 *
 * @example
 * ```ts
 * knownFields(Endpoints.Product)
 * // [{ name: "id", kind: "string", optional: false }, { name: "productName", … }, …]
 * ```
 */
export const knownFields = (schema: Schema.Schema.Any): ReadonlyArray<KnownField> => {
  const ast = unwrap(SchemaAST.typeAST(schema.ast))
  if (ast._tag !== "TypeLiteral") return []
  const fields: Array<KnownField> = []
  for (const property of ast.propertySignatures) {
    if (typeof property.name !== "string") continue
    const { kind, nullable } = kindOf(property.type)
    fields.push({ name: property.name, kind, optional: property.isOptional || nullable })
  }
  return fields
}

const unwrap = (ast: SchemaAST.AST): SchemaAST.AST => {
  switch (ast._tag) {
    case "Refinement":
      return unwrap(ast.from)
    case "Transformation":
      return unwrap(ast.to)
    case "Suspend":
      return unwrap(ast.f())
    default:
      return ast
  }
}

const kindOf = (type: SchemaAST.AST): { readonly kind: FieldKind; readonly nullable: boolean } => {
  const kinds = new Set<FieldKind>()
  let nullable = false
  const visit = (ast: SchemaAST.AST): void => {
    const node = unwrap(ast)
    switch (node._tag) {
      case "Union":
        return node.types.forEach(visit)
      case "UndefinedKeyword":
        nullable = true
        return
      case "Literal":
        if (node.literal === null) nullable = true
        else kinds.add(literalKind(node.literal))
        return
      case "StringKeyword":
      case "TemplateLiteral":
        kinds.add("string")
        return
      case "NumberKeyword":
        kinds.add("number")
        return
      case "BooleanKeyword":
        kinds.add("boolean")
        return
      default:
        kinds.add("json")
    }
  }
  visit(type)
  const [only] = kinds
  return { kind: kinds.size === 1 && only !== undefined ? only : "json", nullable }
}

const literalKind = (literal: SchemaAST.LiteralValue): FieldKind =>
  typeof literal === "string" ?
    "string" :
    typeof literal === "number" ?
    "number" :
    typeof literal === "boolean" ?
    "boolean" :
    "json"
