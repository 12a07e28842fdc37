// Encoding speed of qwen-edge's tokenizer against Hugging Face's (the `tokenizers` npm package),
// one thread each, on the same texts: Chinese chat turns, English prose, code and the mixed text
// (benchTexts in tokenizer_corpus.js, 512 KB each by default). The two run alternately, `rounds` times,
// so that a shared machine's changing load falls on both alike; each text's figure is the median
// over the rounds of each round's mean time per encode. Prints a markdown table of CPU-time rates
// (process CPU for Hugging Face, which includes the Node binding's own work; thread CPU for
// qwen-edge) and the wall-time ratio.
//
//   cd tests/reference && node compare_tokenizer_speed.js ../../build/bin/qe-tokenizer-bench \
//       [rounds=5] [seconds per text and round=2] [bytes per text=524288]
'use strict';

const {execFileSync} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const {benchTexts} = require('./tokenizer_corpus');

const [bench, rounds = 5, seconds = 2, bytes = 512 * 1024] = process.argv.slice(2);
if (!bench) {
    console.error('usage: node compare_tokenizer_speed.js BENCH_BINARY [rounds] [seconds] [bytes]');
    process.exit(2);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qe-tok-speed-'));
for (const [name, text] of Object.entries(benchTexts(Number(bytes)))) {
    fs.writeFileSync(path.join(dir, `${name}.txt`), text);
}

// One round of qwen-edge: {name: {bytes, ids, wall, cpu}} in seconds per encode.
function ours() {
    const out = execFileSync(bench, [`--texts=${dir}`, '--benchmark_filter=BM_EncodeText',
                                     `--benchmark_min_time=${seconds}`, '--benchmark_format=json'],
                             {encoding: 'utf8', maxBuffer: 1 << 24});
    const result = {};
    for (const b of JSON.parse(out).benchmarks) {
        const [kind, name] = b.name.split('/');
        const scale = {ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1}[b.time_unit];
        const r = (result[name] = result[name] || {});
        if (kind === 'BM_EncodeText') {
            Object.assign(r, {ids: b.ids, wall: b.real_time * scale, cpu: b.cpu_time * scale});
        } else {
            r.coldCpu = b.cpu_time * scale;
        }
    }
    return result;
}

// One round of Hugging Face's tokenizer, in a fresh Node process.
function theirs() {
    const out = execFileSync(process.execPath,
                             [path.join(__dirname, 'time_tokenizer.js'), '--texts', dir, String(seconds)],
                             {encoding: 'utf8', maxBuffer: 1 << 24});
    const result = {};
    for (const line of out.trim().split('\n')) {
        const r = JSON.parse(line);
        result[r.name] = r;
    }
    return result;
}

const runs = {ours: [], theirs: []};
try {
    for (let i = 0; i < Number(rounds); i++) {
        // Alternate which goes first, too.
        if (i % 2 === 0) {
            runs.ours.push(ours());
            runs.theirs.push(theirs());
        } else {
            runs.theirs.push(theirs());
            runs.ours.push(ours());
        }
        console.error(`round ${i + 1}/${rounds} done`);
    }
} finally {
    fs.rmSync(dir, {recursive: true});
}

const median = (a) => {
    const s = [...a].sort((x, y) => x - y);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const names = Object.keys(runs.ours[0]).sort();
const mbTotal = names.reduce((n, name) => n + runs.theirs[0][name].bytes, 0) / 1e6;
const fmt = (x, digits = 1) => x.toFixed(digits);
console.log(`${names.length} texts, ${mbTotal.toFixed(2)} MB; ${rounds} alternating rounds, ` +
            `${seconds} s per text and round; medians\n`);
console.log('| text | MB | ids (ours / HF) | qwen-edge MB/s | HF MB/s | qwen-edge Mtok/s | HF Mtok/s | ' +
            'ratio (CPU) | ratio (wall) | qwen-edge cold cache MB/s |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const name of names) {
    const o = runs.ours.map((r) => r[name]);
    const t = runs.theirs.map((r) => r[name]);
    const mb = t[0].bytes / 1e6;
    const oCpu = median(o.map((r) => r.cpu)), tCpu = median(t.map((r) => r.cpu));
    const oWall = median(o.map((r) => r.wall)), tWall = median(t.map((r) => r.wall));
    console.log(`| ${name} | ${fmt(mb, 2)} | ${o[0].ids} / ${t[0].ids} | ${fmt(mb / oCpu)} | ` +
                `${fmt(mb / tCpu)} | ${fmt(o[0].ids / oCpu / 1e6, 2)} | ${fmt(t[0].ids / tCpu / 1e6, 2)} | ` +
                `${fmt(tCpu / oCpu, 1)}x | ${fmt(tWall / oWall, 1)}x | ` +
                `${fmt(mb / median(o.map((r) => r.coldCpu)))} |`);
}
