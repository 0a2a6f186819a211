import type { RunnerTask } from "vitest"
import type { Reporter } from "vitest/reporters"
import { defineConfig } from "vitest/config"

/** Ends the run with a plain `N passed, N failed` line that any log reader understands. */
class PlainSummary implements Reporter {
  onFinished(files: ReadonlyArray<RunnerTask> = []) {
    const count = { pass: 0, fail: 0, skip: 0 }
    const visit = (task: RunnerTask): void => {
      if (task.type === "test") {
        const state = task.result?.state
        if (state === "pass") count.pass++
        else if (state === "fail") count.fail++
        else count.skip++
      }
      if ("tasks" in task) task.tasks.forEach(visit)
    }
    files.forEach(visit)
    console.log(`\n${count.pass} passed, ${count.fail} failed${count.skip > 0 ? `, ${count.skip} skipped` : ""}`)
  }
}

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "examples/**/*.test.ts", "bench/**/*.test.ts"],
    testTimeout: 30_000,
    reporters: ["default", new PlainSummary()]
  }
})
