// Drives `qwen-edge serve --embedding-model ...` with the official openai npm client's embeddings:
//   node openai_embeddings_check.js BASE_URL   (e.g. http://127.0.0.1:8080/v1)
// The client asks for base64 unless told otherwise and decodes it itself, so both encodings are
// checked. Exits 0 when every check holds; otherwise prints what failed and exits 1.
'use strict';
const { OpenAI } = require('openai');

function check(condition, what) {
    if (!condition) throw new Error('check failed: ' + what);
}

async function main() {
    const client = new OpenAI({ baseURL: process.argv[2], apiKey: 'unused', maxRetries: 0, timeout: 120000 });

    const models = await client.models.list();
    const embedding = models.data.find((m) => (m.capabilities || []).includes('embedding') && m.loaded);
    check(models.data[0].type === 'chat' && embedding, 'the embedding model listed beside the chat model');
    const model = embedding.id;

    const b64 = await client.embeddings.create({ model, input: ['Hello! 你好', 'a cat'] });
    check(b64.object === 'list' && b64.data.length === 2, 'two embeddings');
    check(b64.data[1].index === 1 && b64.data[1].object === 'embedding', 'index and object');
    check(b64.data[0].embedding.length === embedding.dimensions, 'the model dimensions');
    const norm = Math.hypot(...b64.data[0].embedding);
    check(Math.abs(norm - 1) < 1e-4, 'unit length (' + norm + ')');
    check(b64.usage.prompt_tokens > 2 && b64.usage.total_tokens === b64.usage.prompt_tokens, 'usage');

    const floats = await client.embeddings.create({ model, input: ['Hello! 你好', 'a cat'], encoding_format: 'float' });
    for (let i = 0; i < 2; ++i)
        check(floats.data[i].embedding.every((v, d) => Math.fround(v) === b64.data[i].embedding[d]),
              'base64 and float give the same values');

    const cut = await client.embeddings.create({ model, input: [1, 2, 3], dimensions: 16 });
    check(cut.data.length === 1 && cut.data[0].embedding.length === 16, 'dimensions');

    let status = 0;
    try {
        await client.embeddings.create({ model, input: '' });
    } catch (e) {
        status = e.status;
    }
    check(status === 400, 'empty input is a 400');
    console.log(JSON.stringify({ ok: true }));
}

main().catch((e) => {
    console.error(e.stack || String(e));
    process.exit(1);
});
