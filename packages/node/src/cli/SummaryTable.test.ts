import { assert, it } from "@effect/vitest"
import type { Export } from "@figgro/core"
import * as SummaryTable from "./SummaryTable.js"

const summary = (overrides: Partial<Export.ExportSummary>): Export.ExportSummary => ({
  resource: "products",
  endpoint: "/api/v1/Inventory/getproducts",
  format: "ndjson",
  output: "export/products.ndjson",
  status: "completed",
  resumed: false,
  filters: {},
  records: 142,
  pages: 6,
  requests: 7,
  retries: 1,
  rateLimited: 0,
  duplicatesSkipped: 0,
  recovered: 0,
  verified: false,
  drift: undefined,
  durationMillis: 1500,
  runs: 1,
  ...overrides
})

it("shows one aligned row per resource, with drift as the change and its pages", () => {
  const table = SummaryTable.render([
    summary({}),
    summary({
      resource: "job-runs",
      output: "export/job-runs.ndjson",
      records: 1203,
      drift: { from: 1200, to: 1203, changes: [{ page: 4, from: 1200, to: 1203, phase: "walk" }] }
    })
  ])
  const [header, rule, products, jobRuns] = table.split("\n")
  assert.match(header!, /^resource\s+records\s+pages\s+requests\s+retries\s+429s\s+drift\s+time\s+output$/)
  assert.match(rule!, /^-+( +-+){8}$/)
  assert.match(products!, /^products\s+142\s+6\s+7\s+1\s+0\s+-\s+0:02\s+export\/products\.ndjson$/)
  assert.match(jobRuns!, /^job-runs\s+1203\s+.*\+3 \(p\.4\)\s+0:02\s+export\/job-runs\.ndjson$/)
  assert.strictEqual(header!.indexOf("records") + "records".length, products!.indexOf("142") + 3, "numbers align right")
})
