import { RnnkitError } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, type SafetensorsEntry } from '../src/index.js';

const enc = new TextEncoder();

/** A file assembled by hand: header object, then raw data bytes. */
function rawFile(header: unknown, data: Uint8Array, headerLength?: number): Uint8Array {
  const json = enc.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('encodeSafetensors / decodeSafetensors', () => {
  it('round-trips every dtype bit for bit (NaN payloads, −0, subnormals)', () => {
    const f32 = new Float32Array([1.5, -0, NaN, 1e-45]);
    new Uint32Array(f32.buffer)[2] = 0x7fc01234; // a NaN with a payload
    const f64 = new Float64Array([Math.PI, -0, 5e-324, -Infinity]);
    const entries: Record<string, SafetensorsEntry> = {
      'layers.0.weight': { dtype: 'f32', shape: [2, 2], data: f32 },
      b: { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) },
      d: { dtype: 'f64', shape: [4], data: f64 },
      i: { dtype: 'i32', shape: [], data: new Int32Array([-7]) },
      empty: { dtype: 'f32', shape: [0, 3], data: new Float32Array(0) },
    };
    const bytes = encodeSafetensors(entries, { note: 'hi' });
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ note: 'hi' });
    expect([...back.tensors.keys()].sort()).toEqual(Object.keys(entries).sort());
    for (const [name, e] of Object.entries(entries)) {
      const got = back.tensors.get(name)!;
      expect([got.dtype, got.shape]).toEqual([e.dtype, e.shape]);
      expect(bytesOf(got.data)).toEqual(bytesOf(e.data));
    }
  });
  it('writes the documented layout: u64 LE header length, space-padded JSON, aligned little-endian data', () => {
    const bytes = encodeSafetensors({ a: { dtype: 'i32', shape: [1], data: new Int32Array([1]) }, w: { dtype: 'f64', shape: [1], data: new Float64Array([2]) } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { data_offsets: number[] }>;
    // f64 first (widest), so it stays 8-byte aligned; then the i32.
    expect(header.w!.data_offsets).toEqual([0, 8]);
    expect(header.a!.data_offsets).toEqual([8, 12]);
    expect(Array.from(bytes.subarray(8 + n + 8))).toEqual([1, 0, 0, 0]);
    expect(bytes.length).toBe(8 + n + 12);
  });
  it('reads a file as safetensors.torch.save_file writes it (no padding, no metadata)', () => {
    const data = bytesOf(new Float32Array([1, 2, 3]));
    const file = rawFile({ 'weight_ih_l0': { dtype: 'F32', shape: [3], data_offsets: [0, 12] } }, data);
    expect(Array.from(decodeSafetensors(file).tensors.get('weight_ih_l0')!.data)).toEqual([1, 2, 3]);
  });

  const good = encodeSafetensors({ w: { dtype: 'f32', shape: [2], data: new Float32Array([1, 2]) } });
  const cases: [string, Uint8Array, RegExp][] = [
    ['fewer than 8 bytes', good.subarray(0, 5), /'x.st' is truncated: it has 5 bytes, fewer than the 8-byte header length/],
    ['a header longer than the file', good.subarray(0, 20), /'x.st' is truncated: its header should be \d+ bytes, but only 12 follow/],
    ['missing data bytes', good.subarray(0, good.length - 1), /'x.st' is truncated or corrupt: tensor 'w' occupies bytes \[0, 8\) of the data, but the file holds only 7 data bytes/],
    ['a header that is not JSON', rawFile('x', new Uint8Array(0)).map((b, i) => (i === 8 ? 0x7b : b)), /'x.st' has a corrupt header: its 3 header bytes are not valid JSON/],
    ['a header that is not an object', rawFile([1, 2], new Uint8Array(0)), /corrupt header: it is not a JSON object/],
    ['a size mismatch', rawFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), /tensor 'w' \(F32 \[3\]\) needs 12 bytes, but its data_offsets span 8/],
    ['offsets out of range', rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, new Uint8Array(8)), /tensor 'w' occupies bytes \[8, 16\) of the data, but the file holds only 8/],
    ['negative offsets', rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [-8, 0] } }, new Uint8Array(8)), /data_offsets \[-8,0\]/],
    ['overlapping tensors', rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /overlaps/],
    ['a gap', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /the bytes \[0, 4\) before tensor 'a' belong to no tensor/],
    ['trailing bytes', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8)), /4 bytes after the last tensor's data/],
    ['an unknown dtype', rawFile({ a: { dtype: 'Q7', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /unknown dtype "Q7"/],
    ['a dtype rnnkit does not read', rawFile({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor 'a' of dtype F16, which rnnkit does not read/],
    ['a huge header length', rawFile({}, new Uint8Array(0), 2 ** 40), /not a safetensors file: its first 8 bytes give a header of/],
    ['a non-string metadata value', rawFile({ __metadata__: { a: 1 } }, new Uint8Array(0)), /metadata 'a' is not a string/],
  ];
  it.each(cases)('rejects %s with a message naming the source and the problem', (_, bytes, message) => {
    expect(() => decodeSafetensors(bytes, { source: 'x.st' })).toThrow(RnnkitError);
    expect(() => decodeSafetensors(bytes, { source: 'x.st' })).toThrow(message);
  });
  it('refuses what it cannot write', () => {
    expect(() => encodeSafetensors({ w: { dtype: 'f32', shape: [3], data: new Float32Array(2) } })).toThrow(/tensor 'w' has 2 values for shape \[3\]/);
    expect(() => encodeSafetensors({ w: { dtype: 'f64', shape: [2], data: new Float32Array(2) } })).toThrow(/declared f64 but its data is a Float32Array/);
    expect(() => encodeSafetensors({}, { n: 1 as unknown as string })).toThrow(/metadata 'n' is a number/);
  });
});
