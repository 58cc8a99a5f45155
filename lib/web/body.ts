// A request body read as text with a size cap enforced while reading: a body that declares or sends more than
// `maxBytes` is refused without being buffered (the rest of the stream is cancelled, never pulled).

export type TextBody = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly tooLarge: true };

export async function readTextBody(request: Request, maxBytes: number): Promise<TextBody> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) return { ok: false, tooLarge: true };
  if (!request.body) return { ok: true, text: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, tooLarge: true };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString("utf8") };
}
