/**
 * The `figgro` commands other than a full export, end to end: bad input and
 * its exit code 2, `get`, `budget`, `spec check`, `--help` everywhere, and
 * `figgro sim` as a server stopped with Ctrl-C. The CLI runs in a child
 * process (Node + tsx) against the simulator served over HTTP from this
 * process; independent runs go three at a time.
 */
import { assert, describe, it } from "@effect/vitest"
import { Endpoints } from "@figgro/core"
import { Simulator, type SimulatorOptions, swaggerPath } from "@figgro/core/testing"
import * as Effect from "effect/Effect"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import * as SimulatorServer from "../SimulatorServer.js"
import * as Cli from "../testing/cliProcess.js"
import * as Files from "../testing/exportFiles.js"
import { ExitCode } from "./ExitCode.js"

const key = "fgr_e2e_commands_Ht6Jw2Qa"
const counts = { products: 60, "raw-materials": 40, "job-runs": 80, "job-run-tickets": 300, "product-job-run-tickets": 120 }

const served = (options: SimulatorOptions = {}) =>
  Effect.gen(function*() {
    const sim = yield* Simulator.make({ counts, keys: [key], ...options })
    const server = yield* SimulatorServer.serve(sim.handleRaw, { port: 0 })
    return { sim, server, env: { FIGGRO_BASE_URL: server.url, FIGGRO_API_KEY: key } }
  })

/** Runs every command line, three at a time. */
const runAll = (runs: ReadonlyArray<{ readonly args: ReadonlyArray<string>; readonly env?: Record<string, string | undefined> }>) =>
  Effect.forEach(runs, ({ args, env }) => Cli.run(args, env === undefined ? {} : { env }), { concurrency: 3 })

describe("figgro commands (child process, simulator over HTTP)", () => {
  it.scopedLive("bad input exits 2 with a message that says what to fix, before any request", () =>
    Effect.gen(function*() {
      const { env, sim } = yield* served()
      const out = yield* Files.tempDir("figgro-cli-usage-")
      const dir = (name: string) => NodePath.join(out, name)
      // a finished export of job-runs without filters, then a resume of it with a filter
      const mismatched = Effect.gen(function*() {
        const first = yield* Cli.run(["export", "job-runs", "--out", dir("mismatch")], { env })
        assert.strictEqual(first.code, ExitCode.ok, Cli.describe(first))
        return yield* Cli.run(["export", "job-runs", "--start-date", "2026-01-01", "--resume", "--out", dir("mismatch")], {
          env
        })
      })
      const [[resource, date, format, noKey, notFgr], mismatch] = yield* Effect.all([
        runAll([
          { args: ["export", "orders", "--out", dir("a")], env },
          { args: ["export", "job-runs", "--start-date", "2026-13-45", "--out", dir("b")], env },
          { args: ["export", "all", "--format", "xml", "--out", dir("c")], env },
          { args: ["export", "all", "--out", dir("d")], env: { ...env, FIGGRO_API_KEY: undefined } },
          { args: ["export", "all", "--out", dir("e")], env: { ...env, FIGGRO_API_KEY: "sk_live_Mx81QpZ" } }
        ]),
        mismatched
      ], { concurrency: 2 })
      for (const result of [resource, date, format, noKey, notFgr, mismatch]) {
        assert.strictEqual(result!.code, ExitCode.usage, Cli.describe(result!))
        assert.isNotEmpty(result!.stderr.trim(), Cli.describe(result!))
      }
      assert.include(resource!.stderr, Endpoints.resourceNames.join(", "))
      assert.include(date!.stderr, "job-runs: Invalid filter (startDate")
      assert.include(date!.stderr, "\"2026-13-45\" is not an ISO 8601 date")
      assert.include(date!.stderr, "(no request was sent)")
      assert.notInclude(date!.stderr, "--resume", "nothing to resume after a usage error")
      assert.include(format!.stderr, "ndjson, csv, sqlite")
      assert.include(noKey!.stderr, "FIGGRO_API_KEY is not set")
      assert.include(notFgr!.stderr, "FIGGRO_API_KEY does not start with fgr_")
      assert.notInclude(notFgr!.stderr + notFgr!.stdout, "sk_live_Mx81QpZ")
      assert.include(mismatch!.stderr, "Cannot resume the export of job-runs")
      assert.include(mismatch!.stderr, "filters")
      assert.include(mismatch!.stderr, "2026-01-01")
      // none of these sent a request (the log holds the first export's 4 pages only),
      // and the mismatched resume left the finished export alone
      assert.deepStrictEqual((yield* sim.log).map((entry) => [entry.resource, entry.page, entry.status]), [
        ["job-runs", 1, 200],
        ["job-runs", 2, 200],
        ["job-runs", 3, 200],
        ["job-runs", 4, 200]
      ])
      assert.strictEqual(Files.readCheckpoint(dir("mismatch"), "job-runs")?.phase, "complete")
      assert.strictEqual(Files.readNdjson(NodePath.join(dir("mismatch"), "job-runs.ndjson")).length, 80)
    }), 90_000)

  it.scopedLive("get prints a page's envelope, budget the key's limit, spec check compares a swagger.json", () =>
    Effect.gen(function*() {
      const { env, server, sim } = yield* served({ limit: 40 })
      const dir = yield* Files.tempDir("figgro-cli-spec-")
      const swagger = yield* Effect.promise(() => fetch(server.url + swaggerPath).then((response) => response.text()))
      const served_ = NodePath.join(dir, "swagger.json")
      NodeFs.writeFileSync(served_, swagger)
      const edited = JSON.parse(swagger) as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }
      delete edited.components.schemas["ProductItem"]!.properties["sku"]
      const editedPath = NodePath.join(dir, "edited.json")
      NodeFs.writeFileSync(editedPath, JSON.stringify(edited))

      const [get, budget, agrees, differs, missing] = yield* runAll([
        { args: ["get", "products", "--page", "2"], env },
        { args: ["budget"], env },
        { args: ["spec", "check", served_] },
        { args: ["spec", "check", editedPath] },
        { args: ["spec", "check", NodePath.join(dir, "missing.json")] }
      ])

      assert.strictEqual(get!.code, ExitCode.ok, Cli.describe(get!))
      const truth = yield* Files.groundTruth(sim, "products")
      assert.deepStrictEqual(JSON.parse(get!.stdout), {
        page: 2,
        page_size: 25,
        total_records: 60,
        total_pages: 3,
        data: truth.slice(25, 50)
      })

      assert.strictEqual(budget!.code, ExitCode.ok, Cli.describe(budget!))
      assert.match(budget!.stdout, /^limit\s+40 requests per rolling window/m)
      // the two requests of this test (get and budget) are counted in the window
      assert.match(budget!.stdout, /^remaining\s+(38|39)$/m)
      const resets = /^resets\s+(\S+)$/m.exec(budget!.stdout)?.[1]
      assert.isTrue(resets !== undefined && Date.parse(resets) > Date.now() - 1_000, budget!.stdout)

      assert.strictEqual(agrees!.code, 0, Cli.describe(agrees!))
      assert.include(agrees!.stdout, "agrees with the endpoint definitions")
      assert.strictEqual(differs!.code, 1, Cli.describe(differs!))
      assert.include(differs!.stdout, "differs from the endpoint definitions in 1 place(s)")
      assert.include(differs!.stdout, `${Endpoints.products.path}: field 'data[].sku' missing`)
      assert.strictEqual(missing!.code, ExitCode.usage, Cli.describe(missing!))
      assert.include(missing!.stderr, "missing.json")
      for (const result of [get, budget]) assert.notInclude(result!.stdout + result!.stderr, key)
    }), 90_000)

  it.live("--help works on every command, exits 0 and shows an example", () =>
    Effect.gen(function*() {
      const commands = [[], ["export"], ["get"], ["budget"], ["sim"], ["spec"], ["spec", "check"]]
      const results = yield* runAll(commands.map((command) => ({ args: [...command, "--help"] })))
      for (const result of results) {
        assert.strictEqual(result.code, ExitCode.ok, Cli.describe(result))
        assert.match(result.stdout, /Examples?:\n\s+(FIGGRO_\S+ )?figgro /, Cli.describe(result))
      }
    }), 90_000)

  it.scopedLive("figgro sim serves on the port it prints, with the key it prints, and stops on SIGINT", () =>
    Effect.gen(function*() {
      const simKey = "fgr_e2e_sim_Bq3Rk9Zs"
      const sim = yield* Cli.spawn(["sim", "--port", "0", "--api-key", simKey, "--records", "products=30", "--limit", "100"])
      yield* Cli.eventually(Effect.sync(() => /listening on http:\/\/\S+\n/.test(sim.stdout()) || !sim.running()), {
        timeout: "30 seconds",
        what: "the simulator printed its URL"
      })
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(sim.stdout())?.[1]
      assert.isDefined(url, sim.stdout() + sim.stderr())
      assert.include(sim.stdout(), `keys:     ${simKey}`)
      assert.include(sim.stdout(), `FIGGRO_API_KEY=${simKey}`)

      const page = yield* Effect.promise(() =>
        fetch(`${url}${Endpoints.products.path}?page=2`, { headers: { "x-api-key": simKey } })
          .then(async (response) => ({ status: response.status, body: await response.json() as Record<string, unknown> }))
      )
      assert.strictEqual(page.status, 200)
      assert.deepInclude(page.body, { page: 2, page_size: 25, total_records: 30, total_pages: 2 })
      const refused = yield* Effect.promise(() => fetch(`${url}${Endpoints.products.path}`).then((r) => r.status))
      assert.strictEqual(refused, 401)
      const swagger = yield* Effect.promise(() => fetch(url + swaggerPath).then((r) => r.status))
      assert.strictEqual(swagger, 200)

      const interruptedAt = Date.now()
      yield* sim.kill("SIGINT")
      const exited = yield* Effect.timeout(sim.exit, "5 seconds")
      assert.isBelow(Date.now() - interruptedAt, 5_000)
      assert.include([0, ExitCode.interrupted], exited.code, Cli.describe(exited))
      assert.isNull(exited.signal)
      const afterwards = yield* Effect.tryPromise(() => fetch(url + swaggerPath)).pipe(Effect.flip)
      assert.strictEqual((afterwards.cause as { cause?: { code?: string } } | undefined)?.cause?.code, "ECONNREFUSED")
    }), 60_000)
})
