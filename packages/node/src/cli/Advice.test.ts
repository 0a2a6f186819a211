import { assert, describe, it } from "@effect/vitest"
import {
  BadRequest,
  BudgetError,
  DecodeError,
  Export,
  ExportSink,
  Checkpoint,
  FiggroConfigError,
  Forbidden,
  NotFound,
  RateLimited,
  ServiceUnavailable,
  TimeoutError,
  TransportError,
  Unauthorized
} from "@figgro/core"
import { advise, exitCodeOf } from "./Advice.js"
import { ExitCode } from "./ExitCode.js"

const where = { endpoint: "/api/v1/Inventory/getproducts", page: 3 }
const status = (code: number, name: string) => ({ ...where, status: code, code: name, message: "server says no" })

describe("every error says what to do", () => {
  const cases = [
    [new Unauthorized(status(401, "UNAUTHORIZED")), /key was refused.*FIGGRO_API_KEY.*12 months/, ExitCode.refused],
    [new Forbidden(status(403, "FORBIDDEN")), /no access.*integrations@figgro\.com/, ExitCode.refused],
    [new NotFound(status(404, "NOT_FOUND")), /FIGGRO_BASE_URL/, ExitCode.refused],
    [new RateLimited({ ...status(429, "RATE_LIMITED"), retryAfterMillis: 7_200_000 }), /7200 s.*--resume/, ExitCode.refused],
    [new ServiceUnavailable(status(503, "UNAVAILABLE")), /kept failing.*page 3.*--resume/, ExitCode.refused],
    [new TransportError({ ...where, message: "ECONNREFUSED" }), /Could not reach.*ECONNREFUSED/, ExitCode.refused],
    [new TimeoutError({ ...where, message: "slow", timeoutMillis: 30_000 }), /30000 ms.*FIGGRO_REQUEST_TIMEOUT/, ExitCode.refused],
    [new DecodeError({ ...where, message: "price is not a number", path: ["data", 0, "price"] }), /spec check/, ExitCode.refused],
    [new BudgetError({ message: "Redis at redis://localhost is down" }), /budget is unavailable/, ExitCode.refused],
    [new FiggroConfigError({ message: "FIGGRO_API_KEY is not set" }), /FIGGRO_API_KEY is not set/, ExitCode.usage],
    [new BadRequest({ ...status(400, "BAD_REQUEST") }), /ISO 8601/, ExitCode.usage],
    [new BadRequest({ ...status(400, "BAD_REQUEST"), requestId: "req-1" }), /ISO 8601/, ExitCode.refused],
    [
      new Export.CheckpointMismatch({ message: "Cannot resume.", resource: "products", field: "format", checkpoint: "csv", requested: "ndjson" }),
      /without --resume.*format \(csv\)/,
      ExitCode.usage
    ],
    [new Checkpoint.CheckpointError({ message: "corrupt", resource: "products", location: "out/.cp.json" }), /Delete out\/\.cp\.json/, ExitCode.failed],
    [new ExportSink.SinkError({ message: "ENOSPC", format: "ndjson", resource: "products", output: "out/p.ndjson" }), /out\/p\.ndjson.*ENOSPC/, ExitCode.failed]
  ] as const

  for (const [error, advice, code] of cases) {
    it(`${error._tag}${"requestId" in error && error.requestId ? " answered by the server" : ""}`, () => {
      assert.match(advise(error), advice)
      assert.strictEqual(exitCodeOf(error), code)
    })
  }
})
