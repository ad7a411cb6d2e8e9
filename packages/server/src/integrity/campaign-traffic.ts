/**
 * The traffic of one round of the kill -9 campaign, as several clients make it at
 * once: uploads of a few MB through the form and over tus (some into a folder that
 * is being deleted), files.delete,
 * folders.delete, and downloads of files with a download limit. What the server
 * acknowledged, and what the clients asked to remove, goes in a ledger that outlives
 * the rounds, so the invariants can be checked against it after each crash.
 */
import { createHash, randomBytes } from 'node:crypto';
import { resumableUpload, SendbayClient } from '@sendbay/client';
import { sessionAnswer } from '../testing/upload-kit.js';
import type { Random } from './seeded-random.js';

export interface AckedFile {
  size: number;
  sha256: string;
  folderId: string;
}

export interface Ledger {
  /** Files whose upload answered upload_status=ok. */
  acked: Map<string, AckedFile>;
  /** Files a files.delete was sent for (answered or not: the kill may have come first). */
  deleteSent: Set<string>;
  /** Folders a folders.delete was sent for, with their subfolders. */
  folderDeleteSent: Set<string>;
  /** Limited files: their download_limit and the complete, intact downloads seen. */
  limited: Map<string, { limit: number; size: number; sha256: string; fullDownloads: number }>;
  counts: {
    uploads: number;
    tusUploads: number;
    refusedUploads: number;
    deletes: number;
    folderDeletes: number;
    downloads: number;
    refusedDownloads: number;
  };
}

export function emptyLedger(): Ledger {
  return {
    acked: new Map(),
    deleteSent: new Set(),
    folderDeleteSent: new Set(),
    limited: new Map(),
    counts: { uploads: 0, tusUploads: 0, refusedUploads: 0, deletes: 0, folderDeletes: 0, downloads: 0, refusedDownloads: 0 },
  };
}

const KB = 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** One upload form with one file; the file is in the ledger once the server said ok. */
async function uploadOne(client: SendbayClient, ledger: Ledger, bytes: Buffer, folderId: string): Promise<string | undefined> {
  const t = await client.upload.getInfo();
  const form = new FormData();
  form.append('MAX_FILE_SIZE', String(t.maxFileSize));
  form.append('UPLOAD_IDENTIFIER', t.uploadIdentifier);
  form.append('extra_info', t.extraInfo);
  if (folderId !== '0') form.append('folder_id', folderId);
  form.append('userfile', new Blob([new Uint8Array(bytes)]), 'campaign.bin');
  const res = await fetch(t.url, { method: 'POST', body: form });
  const answer = sessionAnswer(await res.text());
  const id = answer.fileIds[0];
  if (answer.status !== 'ok' || !id) {
    ledger.counts.refusedUploads++;
    return undefined;
  }
  ledger.acked.set(id, { size: bytes.length, sha256: sha(bytes), folderId });
  ledger.counts.uploads++;
  return id;
}

/** One tus upload in small PATCHes, so kills find it part way; acknowledged once a PATCH names its file. */
async function resumableOne(client: SendbayClient, ledger: Ledger, bytes: Buffer, folderId: string): Promise<void> {
  // No retries: after the kill the client gives up at once rather than waiting for a server that is gone.
  const r = await resumableUpload(client, { name: 'campaign-tus.bin', body: bytes }, { folderId, chunkSize: 256 * KB, retryDelays: [] });
  ledger.acked.set(r.fileId, { size: bytes.length, sha256: sha(bytes), folderId });
  ledger.counts.tusUploads++;
}

/** A whole download of a limited file; it counts only if every byte arrived intact. */
async function downloadOne(client: SendbayClient, ledger: Ledger, fileId: string): Promise<void> {
  const entry = ledger.limited.get(fileId);
  if (!entry) return;
  let url: string;
  try {
    url = (await client.download.getInfo(fileId)).url;
  } catch (err) {
    if ((err as { code?: number }).code === undefined) throw err;
    ledger.counts.refusedDownloads++;
    return;
  }
  const res = await fetch(url);
  if (res.status !== 200) {
    await res.arrayBuffer().catch(() => undefined);
    ledger.counts.refusedDownloads++;
    return;
  }
  const body = Buffer.from(await res.arrayBuffer());
  if (body.length === entry.size && sha(body) === entry.sha256) {
    entry.fullDownloads++;
    ledger.counts.downloads++;
  }
}

export interface RoundPlan {
  url: string;
  sessionKey: string;
  ledger: Ledger;
  random: Random;
  workers: number;
  /** Set when the server is about to be killed: the clients stop starting new work. */
  stopped: () => boolean;
  /** Told as each client starts a step (the kill is timed by steps, so a slow machine still gets traffic). */
  onStep?: (started: number) => void;
}

/** The round's fixed part, before the kill is armed: a folder pair to delete and a limited file. */
export async function prepareRound(p: RoundPlan): Promise<{ folder: string; sub: string }> {
  const client = new SendbayClient(p.url, { sessionKey: p.sessionKey, retry: { retries: 0, baseDelayMs: 1 } });
  const folder = (await client.folders.create({ name: `doomed-${p.random.int(0, 1e9)}` })).id;
  const sub = (await client.folders.create({ name: 'inner', parent_folder_id: folder })).id;
  const bytes = randomBytes(p.random.int(64, 512) * KB);
  const id = await uploadOne(client, p.ledger, bytes, '0');
  if (id) {
    const limit = p.random.int(1, 3);
    await client.files.setInfo(id, { download_limit: limit, limit_action: 1 });
    p.ledger.limited.set(id, { limit, size: bytes.length, sha256: sha(bytes), fullDownloads: 0 });
  }
  return { folder, sub };
}

/** Runs the clients until `stopped()`; every failure caused by the kill is expected and ignored. */
export async function runTraffic(p: RoundPlan, folders: { folder: string; sub: string }): Promise<void> {
  const client = new SendbayClient(p.url, { sessionKey: p.sessionKey, retry: { retries: 0, baseDelayMs: 1 } });
  const { ledger, random } = p;
  const live = () => [...ledger.acked.keys()].filter((id) => !ledger.deleteSent.has(id) && !ledger.limited.has(id));
  let folderDeleted = false;

  const step = async (): Promise<void> => {
    const r = random.next();
    if (r < 0.5 || live().length < 3) {
      // A third of the uploads go into the folder pair that one of the steps deletes.
      const into = random.next() < 0.33 ? (random.next() < 0.5 ? folders.folder : folders.sub) : '0';
      const bytes = randomBytes(random.int(256, 3072) * KB);
      if (random.next() < 0.3) await resumableOne(client, ledger, bytes, into);
      else await uploadOne(client, ledger, bytes, into);
    } else if (r < 0.68) {
      const id = random.pick(live());
      if (!id) return;
      ledger.deleteSent.add(id);
      await client.files.delete(id);
      ledger.counts.deletes++;
    } else if (r < 0.75 && !folderDeleted) {
      folderDeleted = true;
      ledger.folderDeleteSent.add(folders.folder).add(folders.sub);
      await client.folders.delete(folders.folder);
      ledger.counts.folderDeletes++;
    } else {
      const id = random.pick([...ledger.limited.keys()]);
      if (id) await downloadOne(client, ledger, id);
    }
  };

  let started = 0;
  const worker = async () => {
    while (!p.stopped()) {
      p.onStep?.(++started);
      await step().catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: p.workers }, worker));
}
