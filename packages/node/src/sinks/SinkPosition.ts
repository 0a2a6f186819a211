/** Reading a sink's position back from a checkpoint, each sink with its own schema. */
import { type Checkpoint, ExportSink } from "@figgro/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * The position to resume at (`undefined`: start afresh), or a `SinkError`
 * saying the checkpoint holds a position of another kind of output.
 */
export const decode = <A, I>(
  schema: Schema.Schema<A, I>,
  position: Option.Option<Checkpoint.SinkPosition>,
  where: { readonly format: string; readonly resource: string; readonly output: string }
): Effect.Effect<A | undefined, ExportSink.SinkError> =>
  Option.match(position, {
    onNone: () => Effect.succeed(undefined),
    onSome: (value) =>
      Schema.decodeUnknown(schema)(value).pipe(
        Effect.mapError(() =>
          new ExportSink.SinkError({
            ...where,
            message: `The checkpoint's output position ${JSON.stringify(value)} is not a ${where.format} position`
          })
        )
      )
  })
