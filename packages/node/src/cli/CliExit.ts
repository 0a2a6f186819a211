import * as Schema from "effect/Schema"

/** Ends the CLI with `code`, printing `message` (if any) on stderr. */
export class CliExit extends Schema.TaggedError<CliExit>()("CliExit", {
  code: Schema.Number,
  message: Schema.String
}) {}
