/**
 * @figgro/node: the Node runtime for @figgro/core.
 */
export * as CheckpointFile from "./CheckpointFile.js"
export * as FiggroNode from "./FiggroNode.js"
export * as RedisBudget from "./RedisBudget.js"
export * as SimulatorServer from "./SimulatorServer.js"
export * as CsvSink from "./sinks/CsvSink.js"
export * as NdjsonSink from "./sinks/NdjsonSink.js"
export * as SqliteSink from "./sinks/SqliteSink.js"
