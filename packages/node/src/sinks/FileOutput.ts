/**
 * An append-only output file that can be truncated back to a checkpointed
 * byte length: the common part of the NDJSON and CSV sinks.
 *
 * Opened afresh, the file is emptied. Opened at a position, it is truncated
 * to that many bytes (whatever a killed run wrote after its last checkpoint
 * goes) and writing continues there. `sync` fsyncs and answers the byte
 * length, which is the position the export checkpoints.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type { PlatformError } from "@effect/platform/Error"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Scope from "effect/Scope"
import * as NodePath from "node:path"
import { ExportSink } from "@figgro/core"

export interface FileOutput {
  readonly path: string
  /** Bytes written so far (durable up to the last `sync`). */
  readonly length: () => number
  readonly append: (text: string) => Effect.Effect<void, ExportSink.SinkError>
  /** fsync, then the byte length. */
  readonly sync: Effect.Effect<number, ExportSink.SinkError>
  /** The first `length()` bytes of the file, as text chunks. */
  readonly read: Stream.Stream<string, ExportSink.SinkError>
}

/**
 * Opens `path` for appending: afresh (`bytes` undefined: the file is
 * created or emptied) or truncated to `bytes`. Fails when the file is
 * shorter than `bytes` (it was changed or replaced since the checkpoint).
 */
export const open = (
  fs: FileSystem.FileSystem,
  path: string,
  bytes: number | undefined,
  where: { readonly format: string; readonly resource: string }
): Effect.Effect<FileOutput, ExportSink.SinkError, Scope.Scope> =>
  Effect.gen(function*() {
    const fail = (message: string) => new ExportSink.SinkError({ ...where, output: path, message })
    const failed = (action: string) => (error: PlatformError) => fail(`Cannot ${action} ${path}: ${error.message}`)

    yield* fs.makeDirectory(NodePath.dirname(path), { recursive: true }).pipe(
      Effect.mapError(failed("create the directory of"))
    )
    const exists = yield* fs.exists(path).pipe(Effect.mapError(failed("look for")))
    if (bytes !== undefined && bytes > 0 && !exists) {
      return yield* Effect.fail(
        fail(`Cannot resume: ${path} is missing, but the checkpoint says ${bytes} bytes were written. Start afresh.`)
      )
    }
    const fresh = bytes === undefined || !exists
    const file = yield* fs.open(path, { flag: fresh ? "w" : "r+" }).pipe(Effect.mapError(failed("open")))
    let length = 0
    if (!fresh) {
      const info = yield* file.stat.pipe(Effect.mapError(failed("stat")))
      if (Number(info.size) < bytes!) {
        return yield* Effect.fail(
          fail(`Cannot resume: ${path} has ${info.size} bytes, fewer than the ${bytes} the checkpoint says were written. Start afresh.`)
        )
      }
      yield* file.truncate(bytes).pipe(Effect.mapError(failed("truncate")))
      yield* file.seek(bytes!, "start")
      length = bytes!
    }
    yield* file.sync.pipe(Effect.mapError(failed("sync")))
    if (fresh) yield* syncDirectory(fs, NodePath.dirname(path))

    const encoder = new TextEncoder()
    return {
      path,
      length: () => length,
      append: (text) =>
        Effect.suspend(() => {
          const buffer = encoder.encode(text)
          return Effect.map(file.writeAll(buffer), () => {
            length += buffer.byteLength
          })
        }).pipe(Effect.mapError(failed("write to"))),
      sync: file.sync.pipe(
        Effect.mapError(failed("sync")),
        Effect.map(() => length)
      ),
      read: Stream.suspend(() =>
        length === 0 ?
          Stream.empty :
          fs.stream(path, { bytesToRead: length }).pipe(Stream.decodeText(), Stream.mapError(failed("read")))
      )
    } satisfies FileOutput
  })

/** fsyncs a directory so that a file created or renamed in it survives a crash. Best effort: some platforms refuse. */
export const syncDirectory = (fs: FileSystem.FileSystem, directory: string): Effect.Effect<void> =>
  Effect.scoped(Effect.flatMap(fs.open(directory, { flag: "r" }), (dir) => dir.sync)).pipe(Effect.ignore)
