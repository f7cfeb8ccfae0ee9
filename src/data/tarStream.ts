/**
 * Streaming `.tar.gz` reading: enough to import a dataset archive without ever holding the archive in memory.
 *
 * `openGzip` checks the gzip signature and decompresses with the platform's DecompressionStream; `TarReader`
 * walks the tar stream one 512-byte header at a time, hands out the data of the entries its caller asks for
 * and skips the rest without buffering them. Understood: POSIX ustar (the `prefix` field), GNU long names
 * ('L') and GNU base-256 sizes; pax headers ('x', 'g') and GNU long link names ('K') are skipped (the names
 * an importer looks for are short enough for the ustar header itself). Directories, links and devices come
 * out as entries that are not files. No CIFAR knowledge here; Streams API only (browser, worker, Node 20).
 */

/** The file is not a usable archive; the message says why in words a person understands. */
export class ArchiveImportError extends Error {
  override readonly name = 'ArchiveImportError';
}

const BLOCK_BYTES = 512;
/** Long names are a few hundred bytes; a bigger one means a damaged header, not a name. */
const MAX_LONG_NAME_BYTES = 64 * 1024;

/**
 * The decompressed bytes of a `.tar.gz`, after checking on the first bytes that it is gzip at all (a PNG
 * renamed `.tar.gz` gets a plain answer, not a zlib error). `countBytes` sees every compressed chunk read.
 */
export async function openGzip(
  source: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
  countBytes: (bytes: number) => void,
): Promise<ReadableStream<Uint8Array>> {
  const reader = source.getReader();
  const cancel = (): void => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener('abort', cancel, { once: true }); // a stalled source must not delay an abort
  let head: Uint8Array = new Uint8Array(0);
  try {
    while (head.length < 2) {
      const result = await reader.read();
      if (result.done) break;
      const joined = new Uint8Array(head.length + result.value.length); // head has 0 or 1 byte here
      joined.set(head);
      joined.set(result.value, head.length);
      head = joined;
    }
  } catch (error) {
    signal?.throwIfAborted();
    throw new ArchiveImportError(`The file could not be read: ${messageOf(error)}.`, { cause: error });
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
  signal?.throwIfAborted();
  if (head.length === 0) throw new ArchiveImportError('The file is empty.');
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    cancel();
    throw new ArchiveImportError('This is not a .tar.gz archive (it does not start with the gzip signature).');
  }
  // BufferSource: what DecompressionStream accepts. Stream chunks are never on a SharedArrayBuffer.
  const replayed = new ReadableStream<BufferSource>({
    start(controller) {
      countBytes(head.length);
      controller.enqueue(head as Uint8Array<ArrayBuffer>);
    },
    async pull(controller) {
      const result = await reader.read();
      if (result.done) return controller.close();
      countBytes(result.value.length);
      controller.enqueue(result.value as Uint8Array<ArrayBuffer>);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return replayed.pipeThrough(new DecompressionStream('gzip'));
}

export interface TarEntry {
  /** The full path in the archive (ustar prefix or GNU long name applied). */
  readonly path: string;
  /** Data bytes the header declares: not yet checked against anything, and possibly absurd. */
  readonly size: number;
  /** A regular file (typeflag '0', NUL or '7'); directories, links and the like are not. */
  readonly isFile: boolean;
  /** Stream position just past this entry's data and padding: what reading or skipping it would reach. */
  readonly end: number;
}

/** Reads entries in archive order: `next()`, then optionally `readData()`, then `next()` again... */
export class TarReader {
  readonly #bytes: ByteReader;
  readonly #header = new Uint8Array(BLOCK_BYTES);
  #headers = 0;
  #current: { readonly entry: TarEntry; unread: boolean } | null = null;

  /** `onChunk` sees the running count of bytes received: the place to report progress or enforce a cap. */
  constructor(reader: ReadableStreamDefaultReader<Uint8Array>, onChunk: (received: number) => void = () => {}) {
    this.#bytes = new ByteReader(reader, onChunk);
  }

  /** The next entry, skipping whatever is unread of the previous one; null at the end of the archive. */
  async next(): Promise<TarEntry | null> {
    if (this.#current) await this.#skipTo(this.#current.entry.end, this.#current.entry.path);
    this.#current = null;
    let longName: string | null = null;
    for (;;) {
      const start = this.#bytes.position;
      const got = await this.#bytes.fill(this.#header);
      // A stream that stops at a block boundary without the end marker is accepted: nothing is cut short.
      if (got === 0 && this.#headers > 0) return null;
      if (got < BLOCK_BYTES) {
        throw this.#badHeader(start, got === 0 ? 'it is empty' : `it stops ${got} bytes into a header`);
      }
      // End of archive: a zero block (normally two; the second, if any, is left to `drain`).
      if (this.#header.every((byte) => byte === 0)) return null;
      if (!checksumMatches(this.#header)) throw this.#badHeader(start, "the header's checksum does not match");
      this.#headers++;

      const size = readSize(this.#header);
      if (!Number.isFinite(size)) throw this.#badHeader(start, 'the size field is not a number');
      const type = String.fromCharCode(this.#header[156]!);
      const end = this.#bytes.position + Math.ceil(size / BLOCK_BYTES) * BLOCK_BYTES;
      if (type === 'L') {
        if (size > MAX_LONG_NAME_BYTES) throw this.#badHeader(start, `a long name declares ${size} bytes`);
        const data = await this.#readExactly(size, end, 'a long name');
        longName = cString(data, 0, data.length);
        continue;
      }
      if (type === 'x' || type === 'g' || type === 'K') {
        await this.#skipTo(end, 'an extended header');
        continue;
      }
      const path = longName ?? headerPath(this.#header);
      // Regular files: '0', NUL (old tars, where a trailing slash marks a directory) and '7' (contiguous).
      const isFile = (type === '0' || type === '\0' || type === '7') && !path.endsWith('/');
      const entry = { path, size, isFile, end };
      this.#current = { entry, unread: true };
      return entry;
    }
  }

  /** The data of the entry `next()` just returned, in a new buffer. The caller checks its size first. */
  async readData(): Promise<Uint8Array<ArrayBuffer>> {
    const current = this.#current;
    if (!current?.unread) throw new Error('readData() needs a fresh entry from next()');
    current.unread = false;
    return this.#readExactly(current.entry.size, current.entry.end, current.entry.path);
  }

  /** Reads to the end of the stream (the padding after the end marker), so gzip checks its trailer. */
  async drain(): Promise<void> {
    await this.#bytes.skip(Infinity);
  }

  async #readExactly(size: number, end: number, what: string): Promise<Uint8Array<ArrayBuffer>> {
    const data = new Uint8Array(size);
    const got = await this.#bytes.fill(data);
    if (got < size) {
      throw new ArchiveImportError(`The tar archive is truncated: ${what} stops after ${got} of ${size} bytes.`);
    }
    await this.#skipTo(end, what);
    return data;
  }

  async #skipTo(end: number, what: string): Promise<void> {
    const missing = end - this.#bytes.position;
    if ((await this.#bytes.skip(missing)) < missing) {
      throw new ArchiveImportError(`The tar archive is truncated: ${what} is cut short.`);
    }
  }

  #badHeader(at: number, why: string): ArchiveImportError {
    return this.#headers === 0
      ? new ArchiveImportError(`This file is compressed correctly but it is not a tar archive (${why}).`)
      : new ArchiveImportError(`The tar archive is damaged: at byte ${at}, ${why}.`);
  }
}

/** Exact-size reads out of a stream of arbitrarily sized chunks. */
class ByteReader {
  #chunk: Uint8Array = new Uint8Array(0);
  #at = 0;
  #ended = false;
  #received = 0;
  /** Bytes handed out (copied or skipped) so far. */
  position = 0;

  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly onChunk: (received: number) => void,
  ) {}

  /** Fills `target`; returns how many bytes it got (fewer only at the end of the stream). */
  fill(target: Uint8Array): Promise<number> {
    return this.#take(target.length, target);
  }

  /** Discards up to `count` bytes; returns how many it discarded (fewer only at the end of the stream). */
  skip(count: number): Promise<number> {
    return this.#take(count, null);
  }

  async #take(count: number, target: Uint8Array | null): Promise<number> {
    let taken = 0;
    while (taken < count) {
      const ready = await this.#available();
      if (ready === 0) break;
      const take = Math.min(ready, count - taken);
      target?.set(this.#chunk.subarray(this.#at, this.#at + take), taken);
      this.#at += take;
      taken += take;
    }
    this.position += taken;
    return taken;
  }

  /** Bytes ready to hand out in the current chunk, after pulling chunks as needed; 0 at the end. */
  async #available(): Promise<number> {
    while (this.#at >= this.#chunk.length && !this.#ended) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await this.reader.read();
      } catch (error) {
        // DecompressionStream fails here on a cut or corrupt gzip stream (or a bad checksum at its end).
        throw new ArchiveImportError(`The archive is truncated or damaged: ${messageOf(error)}.`, { cause: error });
      }
      if (result.done) {
        this.#ended = true;
      } else {
        this.#chunk = result.value;
        this.#at = 0;
        this.#received += result.value.length;
        this.onChunk(this.#received);
      }
    }
    return this.#chunk.length - this.#at;
  }
}

const utf8 = new TextDecoder();

/** A NUL-terminated (or field-filling) string. */
function cString(bytes: Uint8Array, start: number, length: number): string {
  const field = bytes.subarray(start, start + length);
  const nul = field.indexOf(0);
  return utf8.decode(nul === -1 ? field : field.subarray(0, nul));
}

function headerPath(header: Uint8Array): string {
  const name = cString(header, 0, 100);
  // Only POSIX ustar ("ustar\0") has a prefix there; GNU ("ustar  ") keeps other fields in those bytes.
  const posix = cString(header, 257, 6) === 'ustar' && header[262] === 0;
  const prefix = posix ? cString(header, 345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** An octal field (NUL- or space-terminated); NaN when it holds no octal number. */
function readOctal(header: Uint8Array, start: number, length: number): number {
  const text = cString(header, start, length).trim();
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

/** The size field: octal, or GNU base-256 (high bit set) for sizes of 8 GiB and more. */
function readSize(header: Uint8Array): number {
  const first = header[124]!;
  if ((first & 0x80) === 0) return readOctal(header, 124, 12);
  if (first === 0xff) return NaN; // negative
  let value = first & 0x7f;
  for (let i = 125; i < 136; i++) value = value * 256 + header[i]!;
  return value;
}

/** The stored checksum is the byte sum with its own field read as spaces (unsigned; signed in old tars). */
function checksumMatches(header: Uint8Array): boolean {
  const stored = readOctal(header, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK_BYTES; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : header[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
