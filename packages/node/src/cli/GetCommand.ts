/** `figgro get <resource>`: one page's envelope as JSON, on stdout. */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Figgro } from "@figgro/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { clientLayer, clientOptions } from "./ClientOptions.js"
import { endDate, resource, startDate } from "./Resources.js"

const page = Options.integer("page").pipe(Options.withDescription("Page number, 1-based."), Options.withDefault(1))

export const getCommand = Command.make(
  "get",
  { resource, page, startDate, endDate, ...clientOptions },
  (args) =>
    Effect.gen(function*() {
      const figgro = yield* Figgro
      const result = yield* figgro.resource(args.resource).page(args.page, {
        startDate: Option.getOrUndefined(args.startDate),
        endDate: Option.getOrUndefined(args.endDate)
      })
      yield* Console.log(JSON.stringify(
        {
          page: result.page,
          page_size: result.pageSize,
          total_records: result.totalRecords,
          total_pages: result.totalPages,
          data: result.data
        },
        null,
        2
      ))
    }).pipe(Effect.provide(clientLayer(args)))
).pipe(Command.withDescription(
  "Print one page of a resource as the API's JSON envelope (costs one request).\n\nExamples:\n  figgro get products\n  figgro get job-runs --page 3 --start-date 2026-11-01 --end-date 2026-11-30"
))
