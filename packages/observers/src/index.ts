// Public API of observers: filled in by the package's implementation.
export {};
