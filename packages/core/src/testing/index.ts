/**
 * @figgro/core/testing: test the code you write against `Figgro` without a network.
 */
export * as FiggroTest from "./FiggroTest.js"
export * as MockHttp from "./MockHttp.js"
