// S3 transfers: one file uploaded into and downloaded from an S3 engine (Swift with
// s3api on loopback, from scripts/services/swift.sh) through the real Sendbay API with
// curl, against the AWS SDK doing the same directly: lib-storage's Upload of the file
// (same part size and parts in flight as the server) and a GetObject streamed to
// nowhere (plus curl on a presigned URL). Then N concurrent uploads through a fresh
// Sendbay process, with its peak RSS. Each figure is the median of --repeat rounds,
// targets interleaved within each round.
//
// The engine comes from the settings swift.sh prints:
//   eval "$(bash scripts/services/swift.sh start /tmp/s3 45080 | sed 's/^/export /')"
//   node bench/s3.mjs [--size-mb 512] [--repeat 3] [--concurrent 20] [--concurrent-mb 50]
//                     [--part-mb 5] [--queue 1]
import { spawn } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { peakRssMb, startSendbay, stopProcess } from './lib/processes.mjs';

const { values } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '512' },
    repeat: { type: 'string', default: '3' },
    concurrent: { type: 'string', default: '20' },
    'concurrent-mb': { type: 'string', default: '50' },
    'part-mb': { type: 'string', default: '5' },
    queue: { type: 'string', default: '1' },
  },
});
const MiB = 1024 * 1024;
const sizeMb = Number(values['size-mb']);
const repeat = Number(values.repeat);
const concurrent = Number(values.concurrent);
const concurrentMb = Number(values['concurrent-mb']);
const partMb = Number(values['part-mb']);
const queue = Number(values.queue);

const env = process.env;
if (!env.SENDBAY_S3_ENDPOINT) throw new Error('set the SENDBAY_S3_* settings (scripts/services/swift.sh start prints them)');
const settings = {
  endpoint: env.SENDBAY_S3_ENDPOINT,
  region: env.SENDBAY_S3_REGION ?? 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: env.SENDBAY_S3_ACCESS_KEY_ID, secretAccessKey: env.SENDBAY_S3_SECRET_ACCESS_KEY },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
};
const s3 = new S3Client(settings);
const bucket = `sendbay-bench-${Date.now().toString(36)}`;

const md5 = (s) => createHash('md5').update(s).digest('hex');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round1 = (x) => Math.round(x * 10) / 10;
const mbps = (bytes, s) => round1(bytes / MiB / s);

async function generateFile(path, mb, seed) {
  const cipher = createCipheriv('aes-128-ctr', createHash('md5').update(seed).digest(), Buffer.alloc(16));
  const zeros = Buffer.alloc(MiB);
  async function* chunks() {
    for (let i = 0; i < mb; i++) yield cipher.update(zeros);
  }
  await pipeline(chunks(), createWriteStream(path));
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command}: exit ${code} ${err}`))));
  });
}
const W = '%{http_code} %{time_total}';
async function curl(args, out = '/dev/null') {
  const [code, seconds] = (await run('curl', ['-sS', '-o', out, '-w', W, ...args])).trim().split(' ').map(Number);
  return { code, seconds, body: out === '/dev/null' ? '' : readFileSync(out, 'utf8') };
}
const seconds = async (fn) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};

const tmp = mkdtempSync(join(tmpdir(), 'sendbay-s3-bench-'));
const children = [];
try {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const bigFile = join(tmp, 'big.bin');
  const smallFile = join(tmp, 'small.bin');
  console.error(`generating ${sizeMb} MiB and ${concurrentMb} MiB files…`);
  await generateFile(bigFile, sizeMb, 'big');
  await generateFile(smallFile, concurrentMb, 'small');
  const bigBytes = statSync(bigFile).size;
  const serverEnv = {
    SENDBAY_BLOB_STORE: 's3',
    SENDBAY_S3_ENDPOINT: settings.endpoint,
    SENDBAY_S3_BUCKET: bucket,
    SENDBAY_S3_REGION: settings.region,
    SENDBAY_S3_ACCESS_KEY_ID: settings.credentials.accessKeyId,
    SENDBAY_S3_SECRET_ACCESS_KEY: settings.credentials.secretAccessKey,
    SENDBAY_S3_PART_SIZE: `${partMb}MB`,
    SENDBAY_S3_PARTS_IN_FLIGHT: String(queue),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };

  const dataDir = join(tmp, 'sendbay');
  mkdirSync(dataDir);
  let userMade = false;
  const start = async () => {
    const users = userMade ? [] : [{ email: 'bench@example.com', password: 'bench-pass', plan: 'pro' }];
    const s = await startSendbay(dataDir, serverEnv, { users });
    children.push(s.child);
    userMade = true;
    const api = async (query) => (await fetch(`${s.url}/rest/?${query}`)).text();
    const t = /<token>(\w+)<\/token>/.exec(await api('method=auth.createToken&api_key=bench&api_version=1.2'))[1];
    const login = await api(`method=auth.login&token=${t}&user_name=bench@example.com&tokened_password=${md5(t + md5('bench-pass'))}`);
    const session = /<session_key>(\w+)<\/session_key>/.exec(login)[1];
    const uploadUrl = async () =>
      /<upload url="([^"]+)"/.exec(await api(`method=upload.getInfo&session_key=${session}`))[1].replace(/&amp;/g, '&');
    const link = async (fileId) =>
      /<download [^>]*url="([^"]+)"/
        .exec(await api(`method=download.getInfo&session_key=${session}&file_id=${fileId}`))[1]
        .replace(/&amp;/g, '&');
    const remove = async (fileId) => api(`method=files.delete&session_key=${session}&file_id=${fileId}`);
    return { ...s, uploadUrl, link, remove };
  };
  const server = await start();
  const rssAtStart = peakRssMb(server.child.pid);
  const answer = join(tmp, 'answer.txt');

  const runs = { sendbayUp: [], sdkUp: [], sendbayDown: [], sdkDown: [], presignedCurlDown: [] };
  for (let round = 1; round <= repeat; round++) {
    // Upload: Sendbay (curl -F through the API) and lib-storage straight to the engine.
    const up = await curl(['-F', `userfile=@${bigFile}`, await server.uploadUrl()], answer);
    const fileId = /^file_id=(\w+)$/m.exec(up.body)?.[1];
    if (up.code !== 200 || !fileId) throw new Error(`Sendbay upload failed: ${up.body}`);
    runs.sendbayUp.push(up.seconds);
    const key = `direct/${round}.bin`;
    runs.sdkUp.push(
      await seconds(() =>
        new Upload({
          client: s3,
          params: { Bucket: bucket, Key: key, Body: createReadStream(bigFile) },
          partSize: partMb * MiB,
          queueSize: queue,
        }).done(),
      ),
    );
    // Download: Sendbay's direct link (streamed through the server) and GetObject.
    const dl = await curl([await server.link(fileId)]);
    if (dl.code !== 200) throw new Error(`Sendbay download: HTTP ${dl.code}`);
    runs.sendbayDown.push(dl.seconds);
    runs.sdkDown.push(
      await seconds(async () => {
        const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        let n = 0;
        await pipeline(res.Body, new Writable({ write: (c, _e, cb) => ((n += c.length), cb()) }));
        if (n !== bigBytes) throw new Error(`GetObject gave ${n} bytes`);
      }),
    );
    const signed = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 600 });
    runs.presignedCurlDown.push((await curl([signed])).seconds);
    await server.remove(fileId);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    console.error(
      `round ${round}: up ${up.seconds}s vs ${round1(runs.sdkUp.at(-1))}s, down ${dl.seconds}s vs ${round1(runs.sdkDown.at(-1))}s`,
    );
  }
  const onePeak = peakRssMb(server.child.pid);
  await stopProcess(server.child);

  // Concurrent uploads through a fresh process.
  const fresh = await start();
  const urls = [];
  for (let i = 0; i < concurrent; i++) urls.push(await fresh.uploadUrl());
  const t0 = performance.now();
  const answers = await Promise.all(urls.map((u, i) => curl(['-F', `userfile=@${smallFile}`, u], join(tmp, `a${i}.txt`))));
  const wall = (performance.now() - t0) / 1000;
  const ok = answers.filter((a) => a.code === 200 && a.body.startsWith('upload_status=ok')).length;
  const concurrentPeak = peakRssMb(fresh.child.pid);
  await stopProcess(fresh.child);

  const m = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
  const upRatio = m.sdkUp / m.sendbayUp;
  const downRatio = m.sdkDown / m.sendbayDown;
  console.log(`S3 bench: ${sizeMb} MiB, parts ${partMb} MiB x ${queue} in flight, median of ${repeat}`);
  console.log('| operation | Sendbay MB/s | AWS SDK direct MB/s | ratio |');
  console.log('| --- | --- | --- | --- |');
  console.log(
    `| upload (curl -F to the API vs lib-storage Upload) | ${mbps(bigBytes, m.sendbayUp)} | ${mbps(bigBytes, m.sdkUp)} | ${round1(upRatio * 100)}% |`,
  );
  console.log(
    `| download (curl on the /dl/ link vs GetObject) | ${mbps(bigBytes, m.sendbayDown)} | ${mbps(bigBytes, m.sdkDown)} | ${round1(downRatio * 100)}% |`,
  );
  console.log(`| (curl on a presigned URL, for reference) | | ${mbps(bigBytes, m.presignedCurlDown)} | |`);
  console.log(`peak RSS: ${rssAtStart} MB after start, ${onePeak} MB after the ${sizeMb} MiB transfers`);
  console.log(
    `${concurrent} concurrent ${concurrentMb} MiB uploads: ${ok} ok in ${round1(wall)} s (${mbps(concurrentMb * MiB * concurrent, wall)} MB/s), peak RSS ${concurrentPeak} MB`,
  );
  if (ok !== concurrent) process.exitCode = 1;
} finally {
  for (const c of children) await stopProcess(c).catch(() => {});
  let token;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token })).catch(() => ({}));
    for (const o of page.Contents ?? []) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key })).catch(() => {});
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => {});
  rmSync(tmp, { recursive: true, force: true });
}
