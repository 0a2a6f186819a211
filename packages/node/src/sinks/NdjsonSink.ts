/**
 * NDJSON output: `<directory>/<resource>.ndjson`, one record per line, as
 * received (unknown fields kept). Each page is fsynced; the position is the
 * file's byte length, and a resume truncates the file back to it, so a line
 * half-written by a killed run disappears.
 *
 * @example
 * ```ts
 * const sink = yield* NdjsonSink.make("out")   // needs FileSystem (NodeFileSystem.layer)
 * yield* Export.run({ endpoint: Endpoints.products, sink, checkpoints })
 * ```
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SinkPosition from "./SinkPosition.js"
import * as Stream from "effect/Stream"
import * as NodePath from "node:path"
import { type Checkpoint, ExportSink } from "@figgro/core"
import * as FileOutput from "./FileOutput.js"

export const format = "ndjson"

/** The NDJSON sink's position. */
export const Position = Schema.Struct({ bytes: Schema.Int.pipe(Schema.nonNegative()) })

/** The file a resource is written to. */
export const pathOf = (directory: string, resource: string): string =>
  NodePath.join(directory, `${resource}.ndjson`)

/** An NDJSON sink writing into `directory`. */
export const make = (directory: string): Effect.Effect<ExportSink.Sink, never, FileSystem.FileSystem> =>
  Effect.map(FileSystem.FileSystem, (fs): ExportSink.Sink => ({
    format,
    open: ({ endpoint, position }) =>
      Effect.gen(function*() {
        const resource = endpoint.name
        const path = pathOf(directory, resource)
        const bytes = (yield* SinkPosition.decode(Position, position, { format, resource, output: path }))?.bytes
        const file = yield* FileOutput.open(fs, path, bytes, { format, resource })
        let pending = ""
        const session: ExportSink.SinkSession = {
          output: path,
          write: (records) =>
            Effect.sync(() => {
              for (const record of records) pending += JSON.stringify(record) + "\n"
            }),
          flush: Effect.suspend(() => {
            const text = pending
            pending = ""
            return Effect.zipRight(text === "" ? Effect.void : file.append(text), file.sync)
          }).pipe(Effect.map((bytes): Checkpoint.SinkPosition => ({ bytes }))),
          ids: file.read.pipe(
            Stream.splitLines,
            Stream.filter((line) => line.length > 0),
            Stream.mapEffect((line) =>
              Effect.try({
                try: () => String((JSON.parse(line) as { readonly id: unknown }).id),
                catch: () =>
                  new ExportSink.SinkError({ format, resource, output: path, message: `${path} has a line that is not JSON` })
              })
            )
          )
        }
        return session
      })
  }))
