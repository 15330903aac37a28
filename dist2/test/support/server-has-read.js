/**
 * Resolves once the gateway has read the bytes already written to it on
 * other connections. It answers one request on a fresh connection: its
 * single event loop handles readable sockets in the order the kernel made
 * them readable, and the bytes written before that connection opened were
 * readable first. A real signal, where a fixed sleep would only guess.
 */
export async function serverHasRead(baseUrl) {
    const response = await fetch(`${baseUrl}/healthz`);
    await response.arrayBuffer();
}
//# sourceMappingURL=server-has-read.js.map