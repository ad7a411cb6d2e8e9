/**
 * The kill -9 campaign: a real server process on SQLite and a data folder takes
 * concurrent uploads, through the form and over tus (some into a folder being
 * deleted), deletions and limited downloads, and is killed with SIGKILL at a random
 * moment; after each kill the data folder is swept and checked (campaign-invariants.ts), and the server is started on
 * it again for the next round. The choices are seeded: a failure names its seed, and
 * SENDBAY_TEST_CRASH_SEED=<seed> runs the same campaign again (SENDBAY_TEST_CRASH_ROUNDS
 * changes the number of rounds, 30 by default; timing still varies from run to run).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SendbayClient } from '@sendbay/client';
import pino from 'pino';
import { parseConfig } from '../config.js';
import { createContext } from '../context.js';
import { freePort } from '../cluster/node-process.js';
import { brokenInvariants } from './campaign-invariants.js';
import { emptyLedger, prepareRound, runTraffic } from './campaign-traffic.js';
import { seededRandom } from './seeded-random.js';
import { bundleServer, startServerProcess, type ServerBundle } from './server-process.js';

const ROUNDS = Number(process.env.SENDBAY_TEST_CRASH_ROUNDS ?? 30);
const SEED = Number(process.env.SENDBAY_TEST_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 32));

describe('kill -9 campaign', () => {
  let bundle: ServerBundle;
  let dataDir: string;

  before(async () => {
    bundle = await bundleServer('crash-campaign');
    dataDir = await mkdtemp(join(tmpdir(), 'sendbay-crash-'));
  });
  after(async () => {
    await bundle.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  it(`${ROUNDS} rounds of traffic killed at a random moment leave every invariant true`, { timeout: 600_000 }, async () => {
    const random = seededRandom(SEED);
    const port = await freePort();
    const env = {
      SENDBAY_DATA_DIR: dataDir,
      SENDBAY_SECRET: 'crash-campaign-secret-0123456789',
      SENDBAY_PUBLIC_URL: `http://127.0.0.1:${port}`,
      SENDBAY_LOG_LEVEL: 'error',
    };
    const config = parseConfig({ ...env, HOST: '127.0.0.1', PORT: String(port), SENDBAY_LOG_LEVEL: 'silent' });
    const email = 'crash@example.com';
    const password = 'crash-campaign-pw';
    const setup = await createContext(config, { logger: pino({ level: 'silent' }), telemetry: 'none' });
    await setup.accounts.create({ email, password, plan: 'pro' });
    await setup.dispose();

    const ledger = emptyLedger();
    let sessionKey: string | undefined;
    for (let round = 1; round <= ROUNDS; round++) {
      const where = `round ${round} of ${ROUNDS}, seed ${SEED} (SENDBAY_TEST_CRASH_SEED=${SEED} to repeat)`;
      const server = await startServerProcess(bundle, port, env);
      let stopped = false;
      try {
        if (!sessionKey) {
          const c = new SendbayClient(server.url);
          sessionKey = (await c.login(email, password)).sessionKey;
        }
        // The kill comes once a random number of steps have started, and a random few ms
        // later still, so requests are in flight at every stage when it lands.
        const killAt = random.int(4, 24);
        let reached!: () => void;
        const enoughSteps = new Promise<void>((r) => (reached = r));
        const plan = {
          url: server.url,
          sessionKey,
          ledger,
          random,
          workers: 4,
          stopped: () => stopped,
          onStep: (n: number) => n >= killAt && reached(),
        };
        const folders = await prepareRound(plan);
        const traffic = runTraffic(plan, folders);
        await enoughSteps;
        await new Promise((r) => setTimeout(r, random.int(0, 250)));
        stopped = true;
        await server.kill();
        await traffic;
      } catch (err) {
        throw new Error(`${where}: ${(err as Error).message}\n${server.output()}`, { cause: err });
      } finally {
        stopped = true;
        await server.kill();
      }
      const broken = await brokenInvariants(config, ledger);
      assert.deepEqual(broken, [], `${where}:\n${broken.join('\n')}`);
    }
    const c = ledger.counts;
    console.log(
      `kill -9 campaign, seed ${SEED}: ${ROUNDS} kills; ${c.uploads} form and ${c.tusUploads} tus uploads acknowledged ` +
        `(${c.refusedUploads} forms refused), ` +
        `${c.deletes} files.delete and ${c.folderDeletes} folders.delete answered, ${c.downloads} complete limited downloads ` +
        `(${c.refusedDownloads} refused)`,
    );
    // The campaign proves something only if the traffic happened (a short run may be too short to tell).
    if (ROUNDS < 10) return;
    assert.ok(c.uploads >= ROUNDS && c.tusUploads > 0, `uploads were acknowledged (seed ${SEED})`);
    assert.ok(c.downloads > 0 && c.refusedDownloads > 0, `downloads reached their limits (seed ${SEED})`);
    assert.ok(c.folderDeletes > 0 && c.deletes > 0, `deletions were answered (seed ${SEED})`);
  });
});
