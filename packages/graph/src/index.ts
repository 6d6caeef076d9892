// Public API of graph: filled in by the package's implementation.
export {};
