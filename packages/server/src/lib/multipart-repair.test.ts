// The multipart repair: part headers are tidied wherever the stream is cut into chunks,
// and everything else passes byte for byte, so busboy then reads what it would drop.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import busboy from 'busboy';
import { MultipartRepair, multipartBoundary, tidyContentDisposition } from './multipart-repair.js';

const B = 'XyZ123';

async function repaired(chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const r = new MultipartRepair(B);
  r.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => r.on('end', resolve));
  for (const c of chunks) r.write(c);
  r.end();
  await done;
  return Buffer.concat(out);
}

describe('tidyContentDisposition', () => {
  it('drops empty parameters and spaces around "=", leaving quoted strings alone', () => {
    assert.equal(tidyContentDisposition(' form-data; name="userfile"; filename="a.txt";'), 'form-data; name="userfile"; filename="a.txt"');
    assert.equal(tidyContentDisposition('form-data;; name = "f" ;filename="x;;y.txt" ; '), 'form-data; name="f"; filename="x;;y.txt"');
    assert.equal(tidyContentDisposition('form-data; name="a\\";b"'), 'form-data; name="a\\";b"');
  });
});

describe('multipartBoundary', () => {
  it('reads quoted and bare boundaries, and nothing from other types', () => {
    assert.equal(multipartBoundary('multipart/form-data; boundary=abc'), 'abc');
    assert.equal(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b:c"'), 'a b:c');
    assert.equal(multipartBoundary('application/octet-stream; boundary=abc'), undefined);
    assert.equal(multipartBoundary(undefined), undefined);
  });
});

describe('MultipartRepair', () => {
  const data = randomBytes(300);
  const body = Buffer.concat([
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="description"\r\n\r\nhi\r\n`),
    Buffer.from(
      `--${B}\r\nContent-Disposition: form-data; name="userfile"; filename="na\u00efve.txt";\r\nContent-Type: binary\r\n\r\n`,
      'utf8',
    ),
    data,
    Buffer.from(`\r\n--${B}--\r\n`),
  ]);
  const expected = Buffer.from(
    body.toString('latin1').replace('filename="na\u00c3\u00afve.txt";', 'filename="na\u00c3\u00afve.txt"'),
    'latin1',
  );

  it('gives the same, tidied output however the input is cut', async () => {
    assert.notDeepEqual(expected, body);
    assert.deepEqual(await repaired([body]), expected);
    for (let i = 1; i < body.length; i++)
      assert.deepEqual(await repaired([body.subarray(0, i), body.subarray(i)]), expected, `cut at ${i}`);
    assert.deepEqual(await repaired([...body].map((b) => Buffer.from([b]))), expected, 'one byte at a time');
  });

  it('passes file bytes that nearly spell a delimiter unchanged, however they are cut', async () => {
    // Every prefix of "\r\n--XyZ123" inside the file, and the whole delimiter but for its
    // last byte: the pieces a kept-back tail may hold when the next chunk arrives.
    const delimiter = `\r\n--${B}`;
    const tricky = Buffer.from(
      Array.from({ length: delimiter.length }, (_, i) => delimiter.slice(0, i) + 'x').join('') + delimiter.slice(0, -1) + 'Q',
      'latin1',
    );
    const file = Buffer.concat([randomBytes(100), tricky, randomBytes(50), tricky]);
    const form = Buffer.concat([
      Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="userfile"; filename="t.bin";\r\n\r\n`),
      file,
      Buffer.from(`\r\n--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\nz\r\n--${B}--\r\n`),
    ]);
    const want = await repaired([form]);
    assert.ok(want.includes(file), 'the file bytes pass unchanged');
    assert.ok(want.includes(Buffer.from('filename="t.bin"\r\n')), 'the header is still tidied');
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let round = 0; round < 300; round++) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < form.length;) {
        const size = 1 + random(round % 3 === 0 ? 4 : 40);
        chunks.push(form.subarray(at, at + size));
        at += size;
      }
      assert.deepEqual(await repaired(chunks), want, `round ${round}`);
    }
  });

  it('passes a body without parts that need it unchanged', async () => {
    const clean = Buffer.concat([
      Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\n`),
      data,
      Buffer.from(`\r\n--${B}--`),
    ]);
    assert.deepEqual(await repaired([clean]), clean);
  });

  it('makes busboy read a part it would otherwise drop', async () => {
    const files: { name: string; filename: string | undefined; bytes: Buffer }[] = [];
    const bb = busboy({ headers: { 'content-type': `multipart/form-data; boundary=${B}` }, defParamCharset: 'utf8' });
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => files.push({ name, filename: info.filename, bytes: Buffer.concat(chunks) }));
    });
    const closed = new Promise((resolve) => bb.on('close', resolve));
    Readable.from([body]).pipe(new MultipartRepair(B)).pipe(bb);
    await closed;
    assert.equal(files.length, 1);
    assert.equal(files[0]?.filename, 'na\u00efve.txt');
    assert.deepEqual(files[0]?.bytes, data);
  });
});
