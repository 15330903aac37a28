/** Kafka's protocol string as kafkajs's Encoder writes it: an int16 length (-1 for null), UTF-8. */
export const stringBytes = (text: string | null | undefined): number =>
  text == null ? 2 : 2 + Buffer.byteLength(text, 'utf8');

export function writeString(buffer: Buffer, at: number, text: string | null | undefined): number {
  if (text == null) return buffer.writeInt16BE(-1, at);
  const next = buffer.writeInt16BE(Buffer.byteLength(text, 'utf8'), at);
  return next + buffer.write(text, next, 'utf8');
}
