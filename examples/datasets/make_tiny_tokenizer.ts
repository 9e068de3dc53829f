/**
 * Builds `tiny_tokenizer.json`, a small byte-level BPE tokenizer in Hugging
 * Face's tokenizer.json format, for tests and examples: the 256 byte
 * tokens, 300 merges learnt from `sharegpt_sample.json` (the most frequent
 * adjacent pair each time, ties broken by the pair's text), and a `<s>`
 * token that the post-processor puts before every text, as Llama's BOS.
 * Rebuild with:
 *
 *   deno run --allow-read --allow-write examples/datasets/make_tiny_tokenizer.ts
 *
 * @module
 */

const here = new URL(".", import.meta.url).pathname;
const MERGES = 300;

// GPT-2's byte-to-character map: printable bytes stand for themselves, the
// rest are moved past 255 so that every byte is one visible character.
const bytes: number[] = [];
for (let b = 33; b <= 126; b++) bytes.push(b);
for (let b = 161; b <= 172; b++) bytes.push(b);
for (let b = 174; b <= 255; b++) bytes.push(b);
const chars = [...bytes];
let extra = 0;
for (let b = 0; b < 256; b++) {
  if (!bytes.includes(b)) {
    bytes.push(b);
    chars.push(256 + extra++);
  }
}
const byteChar = new Map(
  bytes.map((b, i) => [b, String.fromCodePoint(chars[i])]),
);

// GPT-2's pre-tokenisation pattern, which the ByteLevel pre-tokenizer applies.
const WORDS =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const encoder = new TextEncoder();

const data = JSON.parse(
  Deno.readTextFileSync(`${here}sharegpt_sample.json`),
) as { conversations: { value: string }[] }[];
const freq = new Map<string, number>();
for (const entry of data) {
  for (const turn of entry.conversations) {
    for (const m of turn.value.matchAll(WORDS)) {
      const w = [...encoder.encode(m[0])].map((b) => byteChar.get(b)!).join(
        "\u0000",
      );
      freq.set(w, (freq.get(w) ?? 0) + 1);
    }
  }
}
let words = [...freq].map(([w, n]) => ({ parts: w.split("\u0000"), n }));

const vocab: Record<string, number> = {};
bytes.forEach((_, i) => vocab[String.fromCodePoint(chars[i])] = i);
const merges: string[] = [];
for (let k = 0; k < MERGES; k++) {
  const pairs = new Map<string, number>();
  for (const { parts, n } of words) {
    for (let i = 0; i + 1 < parts.length; i++) {
      const key = `${parts[i]} ${parts[i + 1]}`;
      pairs.set(key, (pairs.get(key) ?? 0) + n);
    }
  }
  let best = "";
  let bestN = 0;
  for (const [key, n] of pairs) {
    if (n > bestN || (n === bestN && key < best)) [best, bestN] = [key, n];
  }
  if (bestN < 2) break;
  const [a, b] = best.split(" ");
  merges.push(best);
  vocab[a + b] = Object.keys(vocab).length;
  words = words.map(({ parts, n }) => {
    const out: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      if (i + 1 < parts.length && parts[i] === a && parts[i + 1] === b) {
        out.push(a + b);
        i++;
      } else out.push(parts[i]);
    }
    return { parts: out, n };
  });
}
const bos = Object.keys(vocab).length;
vocab["<s>"] = bos;

const tokenizer = {
  version: "1.0",
  truncation: null,
  padding: null,
  added_tokens: [{
    id: bos,
    content: "<s>",
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }],
  normalizer: null,
  pre_tokenizer: {
    type: "ByteLevel",
    add_prefix_space: false,
    trim_offsets: true,
    use_regex: true,
  },
  post_processor: {
    type: "TemplateProcessing",
    single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, {
      Sequence: { id: "A", type_id: 0 },
    }],
    pair: [
      { SpecialToken: { id: "<s>", type_id: 0 } },
      { Sequence: { id: "A", type_id: 0 } },
      { Sequence: { id: "B", type_id: 1 } },
    ],
    special_tokens: { "<s>": { id: "<s>", ids: [bos], tokens: ["<s>"] } },
  },
  decoder: {
    type: "ByteLevel",
    add_prefix_space: true,
    trim_offsets: true,
    use_regex: true,
  },
  model: {
    type: "BPE",
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab,
    merges,
  },
};
Deno.writeTextFileSync(
  `${here}tiny_tokenizer.json`,
  JSON.stringify(tokenizer) + "\n",
);
console.log(`${merges.length} merges, ${bos + 1} tokens`);
