import { ClientClosedRequestError } from '../errors/adgate-error.js';
/**
 * Reads a request body up to `limit` bytes, and stops reading past it, so
 * that an oversized request costs no more memory than the limit. The bytes
 * are returned undecoded: decoding would put U+FFFD in place of invalid
 * UTF-8, and each NDJSON line is judged on its own bytes (SPEC §1, §3).
 * Throws ClientClosedRequestError when the client goes away mid-body.
 */
export async function readBodyWithLimit(request, limit) {
    const declared = Number(request.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > limit)
        return { ok: false, tooLarge: true };
    if (request.body === null)
        return { ok: true, bytes: Buffer.alloc(0) };
    const reader = request.body.getReader();
    const chunks = [];
    let size = 0;
    for (;;) {
        const { done, value } = await readChunk(reader);
        if (done)
            break;
        size += value.byteLength;
        if (size > limit) {
            await reader.cancel().catch(() => undefined);
            return { ok: false, tooLarge: true };
        }
        chunks.push(value);
    }
    return { ok: true, bytes: Buffer.concat(chunks) };
}
/**
 * The body stream comes from the client's socket alone (@hono/node-server
 * wraps the IncomingMessage), so a read that fails means the client reset
 * or closed the connection before the end of its body: not our failure.
 */
async function readChunk(reader) {
    try {
        return await reader.read();
    }
    catch (error) {
        throw new ClientClosedRequestError(error);
    }
}
//# sourceMappingURL=read-body.js.map