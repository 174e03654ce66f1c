/**
 * Stored files over HTTP, shared by case files (files.routes.ts) and project versions
 * (projects.routes.ts): an upload is the raw request body streamed into storage (never buffered
 * whole; Content-Type is the file's type, from an allow-list), a download streams it back as an
 * attachment. One place for the limits and their answers (415, 413), so the two routes cannot
 * accept different things.
 */
import type { Transform, Readable } from 'node:stream';
import type { Request, Response } from 'express';
import { FileTooLargeError, type FileStorage } from '../services/file-storage.service';
import { ApiError } from './errors';

/** What may be uploaded: scans, photos, x-rays, documents, 3D models, archives of those. */
export const ALLOWED_MIME_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/tiff',
  'application/dicom',
  'model/stl',
  'model/obj',
  'application/sla',
  'application/zip',
  'text/plain',
] as const;

const tooLarge = (maxBytes: number) => new ApiError(413, 'payload_too_large', `Files are limited to ${maxBytes} bytes.`);

/**
 * Streams the request body into storage under `key`.
 * @param through - optional: a stream to pass the body through on its way (projects read STL
 *   metadata with it), chosen by the upload's media type; returned as `tap`.
 * @returns the stored size and the media type (lower case, without parameters).
 * @throws ApiError 415 for a type not in ALLOWED_MIME_TYPES; 413 when the declared
 *   Content-Length, or the bytes actually received, exceed `maxBytes` (nothing is kept).
 */
export async function receiveUpload<T extends Transform = never>(
  s: { storage: FileStorage; config: { MAX_UPLOAD_BYTES: number } },
  req: Request,
  key: string,
  through?: (mime: string) => T | null,
): Promise<{ size: number; mime: string; tap: T | null }> {
  const maxBytes = s.config.MAX_UPLOAD_BYTES;
  const mime = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!(ALLOWED_MIME_TYPES as readonly string[]).includes(mime)) {
    throw new ApiError(415, 'unsupported_media_type', `Files of type "${mime || 'none'}" are not accepted.`, [{ field: 'Content-Type', message: `one of ${ALLOWED_MIME_TYPES.join(', ')}` }]);
  }
  // Refused before a byte is stored when the client says up front; counted otherwise (chunked).
  const declared = Number(req.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const tap = through?.(mime) ?? null;
  let body: Readable = req;
  if (tap) {
    // pipe() does not forward errors: an aborted request must fail the tap, hence storage's put.
    req.on('error', (err) => tap.destroy(err));
    body = req.pipe(tap);
  }
  try {
    const { size } = await s.storage.put(key, body, maxBytes);
    return { size, mime, tap };
  } catch (err) {
    if (err instanceof FileTooLargeError) throw tooLarge(maxBytes);
    throw err;
  }
}

/**
 * Runs `write` (the transaction that records the stored object under `key`); if it fails, the
 * object is deleted too, so storage keeps nothing that no row names.
 */
export async function keepIfRecorded<T>(storage: FileStorage, key: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    await storage.delete(key).catch(() => undefined);
    throw err;
  }
}

/** Streams stored content to the client as an attachment named `fileName`. */
export async function sendStored(res: Response, content: { stream: Readable; size: number }, mimeType: string, fileName: string): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', mimeType);
  res.setHeader('Content-Length', String(content.size));
  res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  await new Promise<void>((resolve, reject) => {
    content.stream.on('error', reject);
    res.on('finish', resolve);
    res.on('close', resolve);
    content.stream.pipe(res);
  });
}
