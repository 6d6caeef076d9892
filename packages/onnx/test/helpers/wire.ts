// Protobuf wire bytes written by hand (tag = field << 3 | wire type), so that tests do not depend on our encoder.

/** A base-128 varint; negative numbers as their 64-bit two's complement (10 bytes), as protobuf writes int64. */
export function varint(n: number | bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

/** A varint field (wire type 0). */
export const int = (id: number, v: number | bigint): number[] => [...varint(id << 3), ...varint(v)];
/** A length-delimited field (wire type 2). */
export const len = (id: number, body: number[]): number[] => [...varint((id << 3) | 2), ...varint(body.length), ...body];
/** A string field (length-delimited UTF-8). */
export const text = (id: number, s: string): number[] => len(id, [...Buffer.from(s)]);
