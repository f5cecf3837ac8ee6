// Imported after tsx by every TypeScript child of the benchmark (child-processes.ts forkTs).
// tsx turns on source-mapped stack traces; the shipped image runs `node dist/main.js` without
// them. Left on, every Error's stack is mapped back through the source maps when it is first
// read, which cost the gateway ~4% of its CPU in workload (e) (graphql-js reads the stack of
// every error a resolver throws), a cost no deployment pays. Off for every peer alike.
process.setSourceMapsEnabled(false);
