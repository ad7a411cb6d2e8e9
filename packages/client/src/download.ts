/**
 * Finding and opening a download: the direct link comes from download.getInfo when
 * the client has a session, straight from a `/dl/` URL, or from a download page's
 * link otherwise. `openDownload` asks for the bytes from an offset (Range) and says
 * what it got: where the body starts, the file's size and its SHA-256 from the ETag.
 */
import type { SendbayClient } from './client.js';
import { SendbayNetworkError, SendbayTransferError } from './errors.js';
import { withTimeout } from './rest.js';

export interface DownloadTarget {
  url: string;
  name: string;
  size?: number | undefined;
}

export interface OpenedDownload {
  body: ReadableStream<Uint8Array>;
  /** Offset of the body's first byte in the file (0 when the server ignored the Range). */
  start: number;
  /** The whole file's size, when the server says. */
  size: number | undefined;
  /** Lowercase hex SHA-256 when the ETag is one (Sendbay's are). */
  sha256: string | undefined;
  etag: string | undefined;
}

const DIRECT = /\/dl\//;

/** The last path segment of a URL, decoded: the name a direct link carries. */
function nameFromUrl(url: string): string {
  const last = new URL(url).pathname.split('/').filter(Boolean).pop() ?? 'download';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

export async function resolveDownload(
  client: SendbayClient,
  idOrUrl: string,
  opts: { password?: string; signal?: AbortSignal } = {},
): Promise<DownloadTarget> {
  const isUrl = /^https?:\/\//i.test(idOrUrl);
  if (client.sessionKey || client.credentials) {
    const info = await client.download.getInfo(idOrUrl, opts.password, { signal: opts.signal });
    return { url: info.url, name: info.name, size: info.fileSize };
  }
  if (isUrl && DIRECT.test(idOrUrl)) return { url: idOrUrl, name: nameFromUrl(idOrUrl) };
  // Without a session: a download page names its direct link.
  const page = isUrl ? idOrUrl : `${client.baseUrl}file/${encodeURIComponent(idOrUrl)}`;
  const form = opts.password ? { method: 'POST', body: new URLSearchParams({ password: opts.password }) } : {};
  let html: string;
  try {
    const res = await client.fetch(page, { ...form, signal: withTimeout(60_000, opts.signal) });
    html = await res.text();
    if (res.status === 404) throw new SendbayTransferError(`no file at ${page} (not found)`, 'download');
  } catch (err) {
    if (err instanceof SendbayTransferError) throw err;
    throw new SendbayNetworkError(page, err);
  }
  const m = /href="([^"]*\/dl\/[^"]+)"/.exec(html);
  if (!m)
    throw new SendbayTransferError(
      `no download link on ${page}${opts.password ? '' : ' (password-protected? log in or give the password)'}`,
      'download',
    );
  const url = new URL(m[1]!.replace(/&amp;/g, '&'), page).href;
  return { url, name: nameFromUrl(url) };
}

export function sha256FromEtag(etag: string | null | undefined): string | undefined {
  const m = /^(?:W\/)?"?([0-9a-fA-F]{64})"?$/.exec((etag ?? '').trim());
  return m ? m[1]!.toLowerCase() : undefined;
}

/** GET the direct link from `offset` (a Range request when offset > 0). */
export async function openDownload(
  client: SendbayClient,
  url: string,
  opts: { offset?: number; signal?: AbortSignal } = {},
): Promise<OpenedDownload> {
  const offset = opts.offset ?? 0;
  let res: Response;
  try {
    res = await client.fetch(url, { headers: offset > 0 ? { range: `bytes=${offset}-` } : {}, signal: opts.signal });
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw new SendbayNetworkError(url, err);
  }
  const etag = res.headers.get('etag') ?? undefined;
  const sha256 = sha256FromEtag(etag);
  if (res.status === 416 && offset > 0) {
    // Nothing left to fetch: the local copy is already whole (or longer).
    await res.body?.cancel();
    const total = Number(/\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1]);
    return {
      body: new ReadableStream({ start: (c) => c.close() }),
      start: offset,
      size: Number.isFinite(total) ? total : offset,
      sha256,
      etag,
    };
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw new SendbayTransferError(`download of ${url} answered HTTP ${res.status}`, 'download');
  }
  if (!res.body) throw new SendbayTransferError(`download of ${url} has no body`, 'download');
  if (res.status === 206) {
    const m = /bytes (\d+)-\d+\/(\d+|\*)/.exec(res.headers.get('content-range') ?? '');
    return { body: res.body, start: m ? Number(m[1]) : offset, size: m && m[2] !== '*' ? Number(m[2]) : undefined, sha256, etag };
  }
  const len = res.headers.get('content-length');
  return { body: res.body, start: 0, size: len !== null ? Number(len) : undefined, sha256, etag };
}
