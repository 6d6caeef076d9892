// The flat functions exported by assembly/index.ts. Addresses are byte offsets into `memory`; booleans are 0/1.

/** Exports of the kernels module (see assembly/index.ts for each function's contract). */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  rangeRows(x: number, rows: number, k: number, out: number): void;
  quantizeRows(x: number, rows: number, k: number, sa: number, za: number, dst: number, xs: number, gl: number, lp: number, groups: number, sums: number): void;
  quantizeRowsShared(x: number, rows: number, k: number, s: number, z: number, tmp: number, dst: number, xs: number, kp: number): void;
  packWeights(src: number, n: number, k: number, bits: number, gl: number, lp: number, groups: number, dst: number): void;
  dynGemv(xq: number, xs: number, m: number, sums: number, sa: number, w: number, sw: number, o: number, panels: number, groups: number, lp: number, bits: number, corr: number, y: number): void;
  finishRows(y: number, ldy: number, m: number, n: number, bias: number, out: number): void;
  widenRows(src: number, rows: number, k: number, sk: number, signed: number, zp: number, zpPerRow: number, kp: number, dst: number): void;
  packPanelsB(src: number, k: number, n: number, ldb: number, signed: number, zp: number, zpPerCol: number, kp: number, dst: number): void;
  gemmI16(a: number, lda: number, m: number, kp: number, b: number, n: number, c: number, ldc: number): void;
  packPanelsF32(src: number, k: number, n: number, transB: number, dst: number): void;
  gemmF32Panels(a: number, lda: number, m: number, k: number, b: number, n: number, biasCol: number, biasRow: number, c: number, ldc: number): void;
  gemvF32(a: number, k: number, b: number, n: number, bias: number, y: number): void;
  gemvF32T(a: number, k: number, b: number, n: number, bias: number, y: number): void;
  padImageI16(x: number, signed: number, xz: number, c0: number, cg: number, h: number, w: number, padT: number, padL: number, hp: number, wp: number, dst: number): void;
  padImageF32(x: number, c0: number, cg: number, h: number, w: number, padT: number, padL: number, hp: number, wp: number, dst: number): void;
  tapOffsets(cg: number, kh: number, kw: number, hp: number, wp: number, dh: number, dw: number, dst: number): void;
  im2colI16S1(xp: number, wp: number, taps: number, kTotal: number, kp: number, oh: number, ow: number, dst: number): void;
  im2colF32S1(xp: number, wp: number, taps: number, kTotal: number, oh: number, ow: number, dst: number): void;
  im2colI16Gather(xp: number, wp: number, taps: number, kTotal: number, kp: number, oh: number, ow: number, sh: number, sw: number, dst: number): void;
  im2colF32Gather(xp: number, wp: number, taps: number, kTotal: number, oh: number, ow: number, sh: number, sw: number, dst: number): void;
  depthwiseI16(
    xp: number, hp: number, wp: number, w: number, ch: number, mult: number, kh: number, kw: number, oh: number, ow: number, sh: number, sw: number,
    dh: number, dw: number, out: number,
  ): void;
  depthwiseF32P(
    xp: number, hp: number, wp: number, w: number, bias: number, ch: number, mult: number, kh: number, kw: number, oh: number, ow: number,
    sh: number, sw: number, dh: number, dw: number, out: number,
  ): void;
  convF32C1(
    xp: number, wp: number, w: number, bias: number, m: number, kh: number, kw: number, oh: number, ow: number, sh: number, sw: number,
    dh: number, dw: number, out: number,
  ): void;
  dynamicConvOutF32(p: number, batch: number, m: number, plane: number, scales: number, bias: number, relu: boolean, postScale: number, postShift: number): void;
  maxPoolPlanesF32(src: number, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dst: number): void;
  convEpilogueF32(p: number, batch: number, m: number, plane: number, relu: boolean, scale: number, shift: number): void;
  interleaveRows4(src: number, xs: number, mp: number, pairs: number, dst: number): void;
  widenPanels(w: number, o: number, panels: number, groups: number, lp: number, bits: number, dst: number): void;
  dynGemmIL(
    xi: number, mp: number, sa: number, w: number, sw: number, o: number, panels: number, groups: number, lp: number, bits: number,
    pre: number, bw: number, y: number, ldy: number,
  ): void;
  gemmI16IL(ai: number, mp: number, kp: number, b: number, n: number, c: number, ldc: number): void;
  gemvF32Panels(a: number, k: number, b: number, n: number, bias: number, y: number): void;
  quantizeRowsIL(x: number, m: number, mp: number, k: number, sa: number, za: number, dst: number, gl: number, lp: number, groups: number): void;
  softmaxRows(x: number, rows: number, dim: number, out: number): void;
  geluErfF32(x: number, n: number, c1: number, c2: number, c3: number, out: number): void;
  layerNormRows(x: number, rows: number, dim: number, scale: number, scaleLen: number, bias: number, biasLen: number, eps: number, out: number): void;
  quantizeU8(x: number, n: number, scale: number, zp: number, dst: number): void;
  scaleI32ToF32(src: number, n: number, scale: number, divisor: number, dst: number): void;
  stridedCopyF32(src: number, rank: number, shape: number, strides: number, offset: number, coord: number, dst: number): void;
  binaryF32(op: number, a: number, na: number, b: number, nb: number, n: number, out: number): void;
}
