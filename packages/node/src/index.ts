/**
 * @figgro/node: the Node runtime for @figgro/core.
 */
export * as FiggroNode from "./FiggroNode.js"
export * as RedisBudget from "./RedisBudget.js"
