/**
 * How an upload's bytes travel: XMLHttpRequest where there is one (browsers: its upload
 * events give progress, and it streams the file from disk), else fetch. With fetch, progress
 * needs a body the client writes itself: a multipart/form-data stream that counts the
 * file's bytes as the transport pulls them (`duplex: "half"`, which Node's fetch supports).
 * No Node built-ins: this runs in browsers and in Node alike.
 */

export interface UploadProgress {
  /** Bytes of the file sent so far (approximate with XMLHttpRequest, which counts the form). */
  loaded: number;
  /** The file's size. The last event has `loaded === total`. */
  total: number;
}

export interface UploadRequest {
  url: string;
  file: Blob;
  /** The file name sent in the form (its extension must agree with the bytes' kind). */
  name: string;
  headers: Record<string, string>;
  onProgress?: ((progress: UploadProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** What came back: the status and the body, parsed as JSON when it is JSON. */
export interface UploadResponse {
  status: number;
  body: unknown;
}

export type Fetch = typeof globalThis.fetch;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The file name as a form's Content-Disposition carries it (what browsers do). */
function quotedName(name: string): string {
  return name.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** The most bytes of the file one chunk of the body carries (one progress step). */
const SLICE_BYTES = 64 * 1024;

function randomBoundary(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return `----lifeline-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * A multipart/form-data body with one part, `file`, as a stream that reports how many of
 * the file's bytes have been pulled. Its parts are built once and read from the Blob, so
 * the file is never copied into memory.
 */
function countingFormBody(request: UploadRequest): {
  body: ReadableStream<Uint8Array>;
  contentType: string;
} {
  const boundary = randomBoundary();
  const encoder = new TextEncoder();
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quotedName(request.name)}"\r\n` +
      `Content-Type: ${request.file.type || "application/octet-stream"}\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const total = request.file.size;
  let loaded = 0;
  const reader: ReadableStreamDefaultReader<Uint8Array> = request.file.stream().getReader();
  let stage: "head" | "file" | "done" = "head";
  // What the file's reader gave and is not sent yet: handed on in slices, so progress moves
  // even when a Blob in memory comes out as one chunk.
  let pending: Uint8Array | null = null;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stage === "head") {
        stage = "file";
        controller.enqueue(head);
        request.onProgress?.({ loaded: 0, total });
        return;
      }
      if (stage !== "file") return;
      if (!pending || pending.byteLength === 0) {
        const { done, value } = await reader.read();
        if (done) {
          stage = "done";
          controller.enqueue(tail);
          controller.close();
          return;
        }
        pending = value;
      }
      const slice = pending.subarray(0, SLICE_BYTES);
      pending = pending.subarray(slice.byteLength);
      loaded += slice.byteLength;
      controller.enqueue(slice);
      request.onProgress?.({ loaded, total });
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** RequestInit as Node's fetch (undici) takes it: a stream body needs `duplex`. */
type StreamingRequestInit = RequestInit & { duplex: "half" };

/** Sends the form with fetch: a counting stream when progress is wanted, else FormData. */
export async function sendWithFetch(fetch: Fetch, request: UploadRequest): Promise<UploadResponse> {
  let init: RequestInit;
  if (request.onProgress) {
    const { body, contentType } = countingFormBody(request);
    const streaming: StreamingRequestInit = {
      method: "POST",
      headers: { ...request.headers, "content-type": contentType },
      body,
      duplex: "half",
      signal: request.signal ?? null,
    };
    init = streaming;
  } else {
    const form = new FormData();
    form.append("file", request.file, request.name);
    init = { method: "POST", headers: request.headers, body: form, signal: request.signal ?? null };
  }
  const response = await fetch(request.url, init);
  const text = await response.text();
  return { status: response.status, body: parseJson(text) };
}

interface ProgressLike {
  lengthComputable: boolean;
  loaded: number;
  total: number;
}

/**
 * The part of XMLHttpRequest this uses, written out: the package is compiled without the
 * DOM library (it also runs in Node), and its declarations must not need it.
 */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  upload: { onprogress: ((event: ProgressLike) => void) | null; onload: (() => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  readonly status: number;
  readonly responseText: string;
  send(body: FormData): void;
  abort(): void;
}

export type XhrConstructor = new () => XhrLike;

/** The XMLHttpRequest of this environment (browsers, web workers), if it has one. */
export function xhrConstructor(): XhrConstructor | null {
  const candidate = (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest;
  return typeof candidate === "function" ? (candidate as XhrConstructor) : null;
}

function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error
    ? reason
    : new DOMException("The upload was aborted", "AbortError");
}

/** Sends the form with XMLHttpRequest, reporting upload progress in the file's bytes. */
export function sendWithXhr(Xhr: XhrConstructor, request: UploadRequest): Promise<UploadResponse> {
  return new Promise((resolve, reject) => {
    const { signal } = request;
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const xhr = new Xhr();
    const total = request.file.size;
    const onAbort = () => xhr.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => signal?.removeEventListener("abort", onAbort);
    xhr.open("POST", request.url);
    for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
    if (request.onProgress) {
      const report = request.onProgress;
      // The events count the whole form; scaled to the file, and never past it.
      xhr.upload.onprogress = (event) => {
        const share = event.lengthComputable && event.total > 0 ? event.loaded / event.total : 0;
        report({ loaded: Math.min(total, Math.round(share * total)), total });
      };
      xhr.upload.onload = () => report({ loaded: total, total });
    }
    xhr.onload = () => {
      done();
      resolve({ status: xhr.status, body: parseJson(xhr.responseText) });
    };
    xhr.onerror = () => {
      done();
      reject(new TypeError("The upload failed: network error"));
    };
    xhr.onabort = () => {
      done();
      reject(abortError(signal));
    };
    const form = new FormData();
    form.append("file", request.file, request.name);
    xhr.send(form);
  });
}
