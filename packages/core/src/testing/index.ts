/**
 * @figgro/core/testing: test the code you write against `Figgro` without a network.
 */
export * as Faults from "./simulator/Faults.js"
export * as FiggroTest from "./FiggroTest.js"
export * as MockHttp from "./MockHttp.js"
export type { MockHandler, MockRequest, MockResponse } from "./MockHttp.js"
export * from "./Simulator.js"
export { maxInAnyWindow } from "./simulator/RateWindow.js"
