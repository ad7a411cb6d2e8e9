// Baseline for the transfer benchmark: the least a Fastify server can do to take an
// upload and serve it back. POST /upload (multipart, @fastify/multipart) writes the first
// file part to STORE_DIR/upload.bin and answers 200; GET /upload.bin serves that file as
// a plain read stream in 1 MiB chunks. No hashing, no database, no limits. With DURABLE=1
// it fsyncs the file and its folder before answering, as Sendbay does before it acknowledges
// an upload: the fair baseline for upload speed.
// Env: PORT, STORE_DIR, DURABLE.
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';

const storeDir = process.env.STORE_DIR;
if (!storeDir) throw new Error('STORE_DIR is required');
const stored = join(storeDir, 'upload.bin');
const durable = process.env.DURABLE === '1';

async function fsyncPath(path) {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
// The plugin's default file size limit is 1 MiB: lift it, the benchmark sends GiBs.
await app.register(multipart, { limits: { fileSize: Number.MAX_SAFE_INTEGER, files: 1 } });

app.post('/upload', async (req, reply) => {
  const part = await req.file();
  if (!part) return reply.code(400).send('no file\n');
  await pipeline(part.file, createWriteStream(stored));
  if (part.file.truncated) return reply.code(413).send('too large\n');
  if (durable) {
    await fsyncPath(stored);
    await fsyncPath(storeDir);
  }
  return reply.code(200).type('text/plain').send('ok\n');
});

app.get('/upload.bin', async (_req, reply) => {
  const { size } = statSync(stored);
  reply.header('content-type', 'application/octet-stream').header('content-length', String(size));
  return reply.send(createReadStream(stored, { highWaterMark: 1024 * 1024 }));
});

const port = Number(process.env.PORT ?? 0);
await app.listen({ host: '127.0.0.1', port });
console.log(`listening on ${app.server.address().port}`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
