/**
 * Checkpoints as files beside the export: `<directory>/.figgro-checkpoint.<resource>.json`.
 *
 * A save writes a temporary file in the same directory, fsyncs it, renames
 * it over the checkpoint (atomic on POSIX file systems) and fsyncs the
 * directory: after a crash at any moment the file holds either the previous
 * checkpoint or the new one. A file that does not decode fails the load with
 * a `CheckpointError` naming it.
 *
 * @example
 * ```ts
 * const checkpoints = yield* CheckpointFile.make("out")   // needs FileSystem (NodeFileSystem.layer)
 * yield* Export.run({ endpoint, sink, checkpoints, resume: true })
 * ```
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type { PlatformError } from "@effect/platform/Error"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as NodePath from "node:path"
import { Checkpoint } from "@figgro/core"
import { syncDirectory } from "./sinks/FileOutput.js"

/** The checkpoint file of `resource` in `directory`. */
export const pathOf = (directory: string, resource: string): string =>
  NodePath.join(directory, `.figgro-checkpoint.${resource}.json`)

let counter = 0

/** A checkpoint store keeping one file per resource in `directory`. */
export const make = (directory: string): Effect.Effect<Checkpoint.CheckpointStore, never, FileSystem.FileSystem> =>
  Effect.map(FileSystem.FileSystem, (fs): Checkpoint.CheckpointStore => {
    const failed = (resource: string, location: string, action: string) => (error: PlatformError) =>
      new Checkpoint.CheckpointError({ resource, location, message: `Cannot ${action} ${location}: ${error.message}` })

    const load = (resource: string) => {
      const location = pathOf(directory, resource)
      return fs.readFileString(location).pipe(
        Effect.map(Option.some<string>),
        Effect.catchIf(
          (error) => error._tag === "SystemError" && error.reason === "NotFound",
          () => Effect.succeed(Option.none<string>())
        ),
        Effect.mapError(failed(resource, location, "read")),
        Effect.flatMap((text) =>
          Option.isNone(text) ?
            Effect.succeed(Option.none<Checkpoint.Checkpoint>()) :
            Effect.map(Checkpoint.decode(text.value, { resource, location }), Option.some)
        )
      )
    }

    const save = (checkpoint: Checkpoint.Checkpoint) => {
      const location = pathOf(directory, checkpoint.resource)
      const temporary = `${location}.${process.pid}.${++counter}.tmp`
      const fail = (action: string) => failed(checkpoint.resource, location, action)
      const write = Effect.scoped(
        Effect.gen(function*() {
          const file = yield* fs.open(temporary, { flag: "w" })
          yield* file.writeAll(new TextEncoder().encode(Checkpoint.encode(checkpoint)))
          yield* file.sync
        })
      )
      return Effect.gen(function*() {
        yield* fs.makeDirectory(directory, { recursive: true }).pipe(Effect.mapError(fail("create the directory of")))
        yield* write.pipe(
          Effect.zipRight(fs.rename(temporary, location)),
          Effect.mapError(fail("write")),
          Effect.tapError(() => fs.remove(temporary, { force: true }).pipe(Effect.ignore))
        )
        yield* syncDirectory(fs, directory)
      })
    }

    const remove = (resource: string) => {
      const location = pathOf(directory, resource)
      return fs.remove(location, { force: true }).pipe(Effect.mapError(failed(resource, location, "remove")))
    }

    return { load, save, remove }
  })
