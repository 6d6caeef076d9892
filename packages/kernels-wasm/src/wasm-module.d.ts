// tsup (`loader: { '.wasm': 'binary' }`) and the vitest config turn a `.wasm` import into the file's bytes.
declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
