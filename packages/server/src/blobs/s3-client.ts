/**
 * The one way the server makes an S3 client, for the blob store and for anything else
 * that talks to the same bucket (resumable uploads write parts through it). It carries
 * what self-hosted engines (Swift's s3api, Ceph RGW, MinIO) need from the AWS SDK.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { S3BlobsConfig } from '../config.js';

const CONNECT_TIMEOUT_MS = 5_000;

export type S3Settings = Pick<S3BlobsConfig, 'endpoint' | 'region' | 'accessKeyId' | 'secretAccessKey' | 'forcePathStyle'> &
  Partial<Pick<S3BlobsConfig, 'requestTimeoutSeconds'>>;

export function createS3Client(s: S3Settings, opts: { maxAttempts?: number } = {}): S3Client {
  return new S3Client({
    region: s.region,
    ...(s.endpoint !== undefined ? { endpoint: s.endpoint } : {}),
    forcePathStyle: s.forcePathStyle,
    ...(s.accessKeyId !== undefined && s.secretAccessKey !== undefined
      ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } }
      : {}),
    // The SDK's default (a CRC32 on every request, aws-chunked streamed bodies) is
    // refused by Swift (501) and Ceph (411); checksums only where S3 requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: opts.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      // A request the engine stops answering fails (an upload then answers fail).
      requestTimeout: (s.requestTimeoutSeconds ?? 60) * 1000,
      throwOnRequestTimeout: true,
      // …and so does a response body that stalls (a download would otherwise hang).
      socketTimeout: (s.requestTimeoutSeconds ?? 60) * 1000,
      // Every upload and download holds a connection for its whole length.
      httpAgent: { keepAlive: true, maxSockets: 512 },
      httpsAgent: { keepAlive: true, maxSockets: 512 },
    },
  });
}
